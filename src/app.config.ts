import { loadConfigFor, type AppConfig } from './config/config';
import type { RawEnvironment } from './config/provider-settings';
import { REGISTRATIONS } from './providers/registrations';

/**
 * Reads and validates the environment once — the common variables and every registered
 * provider's — the one place that reads process.env for it. It lives at the root, beside
 * app.module.ts, because it joins two layers: config/ (which never imports a provider)
 * and the provider registrations.
 */
export function loadConfig(raw: RawEnvironment = process.env): AppConfig {
  return loadConfigFor(REGISTRATIONS, raw);
}
