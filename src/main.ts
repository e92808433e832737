import './observability/tracing-bootstrap';
import 'reflect-metadata';
import { createApp } from './app.setup';
import { ConfigError } from './config/env.schema';
import { loadConfig, type AppConfig } from './config/config';

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
  console.log(`\n  Swagger UI: ${config.publicBaseUrl}/docs\n`);
}

void main();
