import './observability/tracing-bootstrap';
import 'reflect-metadata';
import { createApp } from './app.setup';
import { ConfigError } from './config/env.schema';
import { loadConfig } from './app.config';
import type { AppConfig } from './config/config';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const logger = app.get(await import('nestjs-pino').then((m) => m.Logger));
  if (config.apiKeys.length === 0) logger.warn('API_KEYS is empty: the API is open to anyone who can reach it');
  if (config.webhook.secretGenerated) {
    logger.warn(
      'WEBHOOK_SECRET is not set: a secret was generated for this run; webhook receivers cannot verify across restarts',
    );
  }
  logger.log(`Invitations gateway listening on ${config.publicBaseUrl} (Swagger UI: ${config.publicBaseUrl}/docs)`);
  console.log(banner(config));
}

function providerModes(config: AppConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(config.providers).map(([name, settings]) => [name, settings.mode]));
}

/** The one block a person starting the service reads (plain text, after the log lines of the boot). */
function banner(config: AppConfig): string {
  const base = config.publicBaseUrl;
  const modes = Object.entries(providerModes(config))
    .map(([name, mode]) => `${name} ${mode}`)
    .join(', ');
  return [
    '',
    `  Invitations gateway listening on ${base}`,
    `  Swagger UI: ${base}/docs    Console: ${base}/console    Metrics: ${base}/metrics`,
    `  Providers: ${modes}    Database: ${config.database.url.replace(/\/\/[^@/]*@/, '//')}`,
    '',
  ].join('\n');
}

void main();
