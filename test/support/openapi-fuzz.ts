import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

/** The committed OpenAPI document (test/openapi.e2e-spec.ts checks it equals the code). */
export const OPENAPI = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

export interface Schema {
  $ref?: string;
  example?: unknown;
  type?: string;
  enum?: unknown[];
  format?: string;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface OperationRef {
  method: string;
  path: string;
  operation: Operation;
}

/** Whether an operation answers with an event stream (which may stay open for good). */
export function streamsEvents(ref: OperationRef): boolean {
  return Object.values(ref.operation.responses).some((response) => 'text/event-stream' in (response.content ?? {}));
}

/** Every operation of the document. */
export function operations(): OperationRef[] {
  return Object.entries(OPENAPI.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  return OPENAPI.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
}

// ---------------------------------------------------------------- response checks

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi.json', components: OPENAPI.components });
const validators = new Map<Schema, ValidateFunction>();

function validatorFor(schema: Schema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    // Refs point into the document registered as openapi.json.
    const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'));
    validate = ajv.compile(rewritten as object);
    validators.set(schema, validate);
  }
  return validate;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Why an answer does not match its operation in the document, or undefined when it does. */
export function mismatch(ref: OperationRef, answer: Answer): string | undefined {
  const response = ref.operation.responses[String(answer.status)] ?? ref.operation.responses.default;
  if (!response) return `status ${answer.status} is not listed for ${ref.method} ${ref.path}`;
  const listed = Object.keys(response.content ?? {});
  if (listed.length === 0) return undefined;
  const mediaType = answer.contentType.split(';')[0].trim().toLowerCase();
  if (!listed.includes(mediaType)) return `content type '${answer.contentType}' is not among ${listed.join(', ')}`;
  const schema = response.content?.[mediaType]?.schema;
  if (!schema || !mediaType.includes('json')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `the body is not JSON: ${answer.body.slice(0, 120)}`;
  }
  const validate = validatorFor(schema);
  return validate(body) ? undefined : `the body does not match the schema: ${ajv.errorsText(validate.errors)}`;
}

// ---------------------------------------------------------------- request generation

/** Strings that have hurt gateways: traversal, controls, surrogates, markup, injection, size. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '%2e%2e',
  '%',
  '%zz',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\u007f\u0085',
  '\ud800',
  'x\udfffy',
  '😀',
  '\u202e',
  '\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  '"\'`',
  'sip:a"b@c',
  'sip:<a@b>',
  'sip:alice@sandbox.test',
  'tel:+14255550123',
  '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  'http://127.0.0.1:1/',
  'a'.repeat(300),
  'b'.repeat(5000),
];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** Any JSON value, nested a little. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

function stringFor(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'uri') return fc.constantFrom('https://example.com/hooks', 'http://127.0.0.1/x', 'ftp://x');
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

/** Values the schema allows (within reason), for bodies that get past validation. */
export function valid(schema: Schema): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  const value = validNonNull(resolved);
  return resolved.nullable ? fc.oneof(value, fc.constant(null)) : value;
}

function validNonNull(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  // The document's own examples are real values (a target, a conversation): requests that get through.
  if (schema.example !== undefined && schema.type !== 'object' && schema.type !== 'array') {
    return fc.oneof(fc.constant(schema.example), validByType(schema));
  }
  return validByType(schema);
}

function validByType(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.allOf?.length) return valid(schema.allOf[0]);
  if (schema.oneOf?.length || schema.anyOf?.length) return fc.oneof(...(schema.oneOf ?? schema.anyOf ?? []).map(valid));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(properties.map(([name, property]) => [name, valid(property)])), {
        requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)),
      });
    }
    default:
      return anyJson;
  }
}

/**
 * Bodies for a request schema: valid ones, valid ones with one field broken (wrong type,
 * a nasty string, an unknown field), and anything at all.
 */
export function bodyFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return anyJson;
  const base = valid(schema);
  const broken = fc.tuple(base, nastyString, anyJson, fc.boolean()).map(([value, key, replacement, unknownField]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return replacement;
    const fields = Object.keys(value);
    const target = unknownField || fields.length === 0 ? key : fields[key.length % fields.length];
    return { ...value, [target]: replacement };
  });
  return fc.oneof({ weight: 4, arbitrary: base }, { weight: 4, arbitrary: broken }, { weight: 2, arbitrary: anyJson });
}

/** A parameter value: what its schema allows, or something it does not. */
export function parameterValue(parameter: Parameter): fc.Arbitrary<string> {
  const allowed = valid(parameter.schema ?? { type: 'string' }).map((value) =>
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  return fc.oneof({ weight: 3, arbitrary: allowed }, { weight: 2, arbitrary: nastyString });
}

/** Bodies that are not JSON at all, or JSON the gateway must refuse whole. */
export const RAW_BODIES = [
  '',
  '{',
  '{"a":1}{',
  'null',
  '[]',
  '"text"',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `{"x":${'['.repeat(40)}${']'.repeat(40)}}`,
  `{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
  '{"to":"\\ud800"}',
  '{"\\udc00":1}',
  'x'.repeat(70 * 1024),
];
