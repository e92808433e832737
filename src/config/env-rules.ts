import { ValidateIf } from 'class-validator';

/** Shared pieces of the env schema classes: the common one and each provider's own. */

export const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

export const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A live provider needs its credentials; sandbox and off do not. */
export const whenLive = <E extends object>(modeVariable: keyof E) =>
  ValidateIf((env: E) => env[modeVariable] === 'live');

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
