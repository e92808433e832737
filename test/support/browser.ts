import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (never a downloaded browser); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe` when Chromium is installed, else `describe.skip` with the reason printed once. */
export function describeWithBrowser(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  process.stderr.write(`No Chromium at ${CHROMIUM} (apt-get install chromium): the ${what} test is skipped.\n`);
  return describe.skip;
}

/**
 * Headless Chromium as root on this closed network: no sandbox, no GPU, and none of the
 * background connections that the machine would refuse.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
