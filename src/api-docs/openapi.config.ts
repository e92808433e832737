import { loadConfig } from '../app.config';
import type { AppConfig } from '../config/config';

/**
 * The fixed configuration the committed document is generated with: every provider in
 * sandbox mode, an in-memory database, nothing from the caller's environment, so the
 * document depends on the code alone.
 */
export function openApiConfig(): AppConfig {
  return loadConfig({ DATABASE_URL: 'sqlite::memory:', PORT: '3000', LOG_LEVEL: 'silent' });
}
