import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';

/**
 * The committed openapi/openapi.json is the contract callers read: it must be exactly
 * what the code generates (as `npm run openapi` does) and a valid OpenAPI document.
 *
 * The document comes from the built writer (dist/, which the global setup builds from
 * src/ with `nest build`): the DTO schemas are written by the Swagger CLI plugin, which
 * needs TypeScript's type checker, and the specs themselves are only transpiled.
 */
describe('OpenAPI document', () => {
  let generated: Record<string, unknown>;

  beforeAll(() => {
    const writer = join(__dirname, '..', 'dist', 'scripts', 'write-openapi.js');
    const output = execFileSync(process.execPath, [writer, '--stdout'], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 64 * 1024 * 1024,
    });
    generated = JSON.parse(output) as Record<string, unknown>;
  });

  it('matches the committed openapi/openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'openapi', 'openapi.json'), 'utf8')) as unknown;
    expect(generated).toEqual(committed);
  });

  it('matches the committed typed client types (openapi/client/schema.d.ts, from `npm run openapi`)', () => {
    const root = join(__dirname, '..');
    const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const types = execFileSync(process.execPath, [cli, join(root, 'openapi', 'openapi.json')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(types).toBe(readFileSync(join(root, 'openapi', 'client', 'schema.d.ts'), 'utf8'));
  });

  it('carries the package version', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect((generated.info as { version: string }).version).toBe(manifest.version);
  });

  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(structuredClone(generated) as never)).resolves.toBeDefined();
  });

  it('describes every contract endpoint and leaves the simulators out', () => {
    const paths = Object.keys(generated.paths as object);
    for (const path of [
      '/invitations',
      '/invitations/{id}',
      '/invitations/{id}/cancel',
      '/providers',
      '/providers/{name}',
      '/errors',
      '/errors/{code}',
      '/providers/{name}/{channel}',
      '/health/live',
      '/health/ready',
      '/invitations/{id}/trace',
      '/metrics',
      '/console/invitations',
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths.some((path) => path.startsWith('/sandbox'))).toBe(false);
  });

  it('has an example for every request body and every problem response', () => {
    const operations = Object.values(
      generated.paths as Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, { examples?: object; schema?: object }> };
            responses: Record<string, { content?: Record<string, { examples?: object }> }>;
          }
        >
      >,
    ).flatMap((item) => Object.values(item));
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.['application/problem+json'];
        if (problem)
          expect({ status, examples: Object.keys(problem.examples ?? {}).length > 0 }).toEqual({
            status,
            examples: true,
          });
      }
    }
    const create = (
      generated.paths as Record<
        string,
        Record<string, { requestBody: { content: Record<string, { examples: object }> } }>
      >
    )['/invitations'].post;
    expect(Object.keys(create.requestBody.content['application/json'].examples).length).toBeGreaterThan(2);
  });

  it('never contains a secret or token', () => {
    const text = JSON.stringify(generated);
    expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{10,}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
