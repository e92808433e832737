import type { Browser } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from './support/browser';
import { startTestApp, type TestApp } from './support/test-app';

const describeBrowser = describeWithBrowser('Swagger UI');

/** A person in Swagger UI: Try it out on POST /invitations, and the invitation joins. */
describeBrowser('Swagger UI', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '300' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('creates an invitation from the docs page that reaches joined', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/docs`, { waitUntil: 'networkidle' });
    const operation = '#operations-invitations-Invitations_create';
    await page.click(operation);
    await page.click(`${operation} .try-out__btn`);
    await page.fill(
      `${operation} textarea.body-param__text`,
      JSON.stringify({
        provider: 'graph',
        conversationId: 'call-ui',
        to: '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
        displayName: 'Heidi Steen',
      }),
    );
    await page.locator(`${operation} tr[data-param-name="Prefer"] input`).fill('wait=10');
    await page.click(`${operation} .execute`);
    const body = page.locator(`${operation} .live-responses-table .response-col_description pre`).first();
    await body.waitFor({ timeout: 20_000 });
    const invitation = JSON.parse(await body.innerText()) as { status: string; terminal: boolean };
    expect(invitation).toMatchObject({ status: 'joined', terminal: true });
  });
});
