import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from './support/browser';
import { createInvitation } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

const describeBrowser = describeWithBrowser('console');

const KEY = 'console-test-key-0123456789';
const OUTPUT = join(__dirname, '..', 'test-output');

/** An operator at /console: the live list shows an invitation reach joined, then its timeline. */
describeBrowser('console', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({ API_KEYS: KEY, SANDBOX_RING_MS: '1500' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('lists a new invitation live, shows it reach joined and draws its timeline', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(`${app.baseUrl}/console`);
    await page.fill('#key', KEY);
    await page.click('#connect');
    await page.locator('#state', { hasText: 'live' }).waitFor({ timeout: 10_000 });

    const created = await createInvitation(
      app,
      { provider: 'graph', conversationId: 'call-console', to: 'tel:+14255550199', displayName: 'Heidi Steen' },
      { headers: { 'X-API-Key': KEY } },
    );
    expect(created.status).toBe(202);
    const row = page.locator(`tr[data-id="${created.body.id}"]`);
    // Seen before its outcome (the ring lasts 1.5 s), then live until joined, without a reload.
    await row.waitFor({ timeout: 10_000 });
    await page.locator(`tr[data-id="${created.body.id}"][data-status="joined"]`).waitFor({ timeout: 15_000 });

    await row.click();
    await page.locator('#trace-title', { hasText: created.body.id }).waitFor({ timeout: 10_000 });
    await page.locator('#timeline [data-kind="status_change"]', { hasText: 'joined' }).waitFor({ timeout: 10_000 });
    const kinds = await page
      .locator('#timeline .item')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['upstream_request', 'provider_event', 'status_change']));
    expect(await page.locator('#timeline').innerText()).toMatch(/graph submit: POST .*participants\/invite → 20[02]/);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'console-timeline.png'), fullPage: true });
    expect(existsSync(join(OUTPUT, 'console-timeline.png'))).toBe(true);
  });

  it('says so when the API key is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/console`);
    await page.fill('#key', 'wrong-key');
    await page.click('#connect');
    await page.locator('#state', { hasText: 'refused' }).waitFor({ timeout: 10_000 });
  });
});
