import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiConfig } from '../api-docs/openapi.config';
import { buildDocument } from '../api-docs/openapi-document';
import { createApp } from '../app.setup';

/**
 * `npm run openapi`: writes the committed document from the code. A script entry of its
 * own, imported by nothing, so the app never imports its writer (no app.setup ↔ openapi loop).
 * With `--stdout` it prints the document instead: the OpenAPI spec compares that output of
 * the built script (compiled with the Swagger CLI plugin, as `npm run openapi` runs it)
 * with the committed file.
 */
async function writeCommittedDocument(toStdout: boolean): Promise<void> {
  const app = await createApp(openApiConfig(), { logger: false });
  const document = buildDocument(app);
  await app.close();
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (toStdout) {
    process.stdout.write(text);
    return;
  }
  const target = resolve(__dirname, '..', '..', 'openapi', 'openapi.json');
  writeFileSync(target, text);
  console.log(`Wrote ${target}`);
}

void writeCommittedDocument(process.argv.includes('--stdout'));
