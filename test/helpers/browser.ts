/**
 * Real headless browsers for end-to-end tests of the dashboard, from Debian with nothing downloaded
 * (both installed by scripts/setup.sh): `chromium` driven by playwright-core, and `firefox-esr`
 * driven by puppeteer-core over WebDriver BiDi (playwright-core's Firefox needs Playwright's own
 * patched build).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import puppeteer, { type Browser as BidiBrowser } from 'puppeteer-core';

export const CHROMIUM = process.env.POCKETDOCK_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.POCKETDOCK_FIREFOX ?? '/usr/bin/firefox-esr';

function present(path: string, what: string, variable: string): void {
  if (!existsSync(path)) throw new Error(`no ${what} at ${path}: run scripts/setup.sh (it installs Debian's package) or set ${variable}`);
}

export async function launchChromium(): Promise<Browser> {
  present(CHROMIUM, 'Chromium', 'POCKETDOCK_CHROMIUM');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function launchFirefox(): Promise<BidiBrowser> {
  present(FIREFOX, 'Firefox', 'POCKETDOCK_FIREFOX');
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}
