import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { GatewayError } from './errors/gateway-error';
import { IS_PUBLIC } from './public.decorator';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * API_KEYS as `Authorization: Bearer <key>` or `X-API-Key`. Keys are compared as SHA-256
 * digests with timingSafeEqual, against every key, so neither a key's length nor its
 * position leaks through timing.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigests: Buffer[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.keyDigests = config.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keyDigests.length === 0) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const presented = presentedKey(context.switchToHttp().getRequest<FastifyRequest>());
    if (presented === undefined) throw new GatewayError('unauthorized', 'An API key is required');
    const candidate = digest(presented);
    let matched = false;
    for (const key of this.keyDigests) matched = timingSafeEqual(key, candidate) || matched;
    if (!matched) throw new GatewayError('unauthorized', 'The API key is not valid');
    return true;
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
  for (const key of config.apiKeys.map(digest)) matched = timingSafeEqual(key, candidate) || matched;
  return matched;
}
