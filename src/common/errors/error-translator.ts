import type { GatewayError } from './gateway-error';

/**
 * Turns an error from a lower layer (the database driver) into a GatewayError of the
 * vocabulary, or undefined when it does not recognise it. The module that owns the
 * dependency provides it, so the problem filter never learns about drivers.
 */
export type ErrorTranslator = (error: unknown) => GatewayError | undefined;

/** DI token of the ErrorTranslator the problem filter consults before internal_error. */
export const ERROR_TRANSLATOR = Symbol('ERROR_TRANSLATOR');
