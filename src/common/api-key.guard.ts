import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DEFAULT_CALLER } from '../config/env.schema';
import type { Caller } from './callers/caller';
import { GatewayError } from './errors/gateway-error';
import { IS_PUBLIC } from './public.decorator';
import { clientAddress, RequestLimits } from './rate-limit/request-limits';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Authenticates every non-public route and names its caller (contract.md §3): API_KEYS
 * as `Authorization: Bearer <key>` or `X-API-Key`. Keys are compared as SHA-256 digests
 * with timingSafeEqual, against every key, so neither a key's length nor its position
 * (nor whose it is) leaks through timing. Then the caller's request limit is charged;
 * failures are counted per client address (RequestLimits).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: { caller: string; digest: Buffer }[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
    private readonly limits: RequestLimits,
  ) {
    this.keys = config.apiKeys.map((entry) => ({ caller: entry.caller, digest: digest(entry.key) }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    request.caller = await this.authenticate(request);
    await this.limits.chargeCaller(request, reply);
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<Caller> {
    // Open API (development): one caller, limited per client address.
    if (this.keys.length === 0) return { name: DEFAULT_CALLER, limitKey: `address:${clientAddress(request)}` };
    await this.limits.refuseWhileAuthFailuresSpent(request);
    const presented = presentedKey(request);
    const caller = presented === undefined ? undefined : this.match(digest(presented));
    if (caller === undefined) {
      await this.limits.countAuthFailure(request);
      throw new GatewayError(
        'unauthorized',
        presented === undefined ? 'An API key is required' : 'The API key is not valid',
      );
    }
    return { name: caller, limitKey: `key:${caller}` };
  }

  /** Compares with every key, whatever matched before, and returns the owner's name. */
  private match(candidate: Buffer): string | undefined {
    let owner: string | undefined;
    for (const key of this.keys) {
      const equal = timingSafeEqual(key.digest, candidate);
      owner = equal ? key.caller : owner;
    }
    return owner;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/**
 * For public routes that show more to a known caller (GET /health/ready): true when the
 * API is open (API_KEYS empty) or the request presents a valid key. Never throws.
 */
export function presentsValidApiKey(config: AppConfig, request: FastifyRequest): boolean {
  if (config.apiKeys.length === 0) return true;
  const presented = presentedKey(request);
  if (presented === undefined) return false;
  const candidate = digest(presented);
  let matched = false;
  for (const key of config.apiKeys.map((entry) => digest(entry.key)))
    matched = timingSafeEqual(key, candidate) || matched;
  return matched;
}
