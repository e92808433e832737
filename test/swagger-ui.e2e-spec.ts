import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startTestApp, type TestApp } from './support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM))
  process.stderr.write(`No Chromium at ${CHROMIUM} (apt-get install chromium): the Swagger UI test is skipped.\n`);

/** A person in Swagger UI: Try it out on POST /invitations, and the invitation joins. */
describeWithBrowser('Swagger UI', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '300' });
    browser = await chromium.launch({
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
