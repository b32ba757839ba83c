/**
 * The dashboard in Firefox (Debian's firefox-esr over WebDriver BiDi): sign in from the link, see a
 * sandbox another client creates appear in the list, and run a command in it with its output
 * streaming in. dashboard.test.ts covers every view in Chromium; this checks the same page works in
 * the other engine the issue names.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchFirefox } from '../helpers/browser.js';
import { useDaemon } from '../helpers/daemon.js';

const name = `pd-dash-ff-${randomBytes(3).toString('hex')}`;

describe('dashboard in Firefox', () => {
  const s = useDaemon({ tcp: true });
  let browser: Browser;
  let page: Page;
  const base = () => `http://127.0.0.1:${s.d.port}`;
  /** Waits until the element `selector` holds `text`. */
  const shows = (selector: string, text: string) =>
    page.waitForFunction((sel, t) => document.querySelector(sel)?.textContent?.includes(t) ?? false, {}, selector, text);

  beforeAll(async () => {
    browser = await launchFirefox();
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s.pd.destroyContainer(name).catch(() => undefined);
  });

  it('signs in from the link: the token moves to an HttpOnly cookie and out of the address bar', async () => {
    await page.goto(await s.pd.dashboardUrl());
    expect(page.url()).toBe(`${base()}/`);
    await shows('header', 'daemon 0.1.0');
    const cookies = await browser.cookies();
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
      { name: 'pocketdock_token', httpOnly: true, sameSite: 'Strict' },
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('lists a sandbox another client creates, without reloading', async () => {
    await s.pd.createNewContainer({ name });
    await shows(`tr[data-name="${name}"]`, 'running');
  });

  it('runs a command and streams its output while it runs', async () => {
    await page.click(`tr[data-name="${name}"] button.link`);
    // The command waits for a file that the test creates only once its first line is on the page.
    await page.locator('#run-command').fill('echo first; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second');
    await page.click('.run button[type=submit]');
    await shows('pre[aria-label="Command output"]', 'first');
    expect(await page.$('[data-testid=run-result]')).toBeNull();
    await (await s.pd.resumeContainer(name)).run('touch /tmp/go');
    await shows('[data-testid=run-result]', 'exit code 0');
    expect(await page.$eval('pre[aria-label="Command output"]', (el) => el.textContent)).toBe('first\nsecond\n');
  });
});
