import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiConfig } from '../api-docs/openapi.config';
import { buildDocument } from '../api-docs/openapi-document';
import { createApp } from '../app.setup';

/**
 * `npm run openapi`: writes the committed document from the code. A script entry of its
 * own, imported by nothing, so the app never imports its writer (no app.setup ↔ openapi loop).
 */
async function writeCommittedDocument(): Promise<void> {
  const app = await createApp(openApiConfig(), { logger: false });
  const document = buildDocument(app);
  await app.close();
  const target = resolve(__dirname, '..', '..', 'openapi', 'openapi.json');
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`Wrote ${target}`);
}

void writeCommittedDocument();
