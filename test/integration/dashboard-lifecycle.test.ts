/**
 * The dashboard's lifecycle controls end to end, in a real headless Chromium against a real daemon
 * and engine: stop, resume, reboot, snapshot and destroy a sandbox from its panel. Each action that
 * loses something asks first: Cancel leaves the sandbox as it was (no call goes out), confirming
 * acts. The page's list and panel follow the daemon, and what the daemon says is checked through the
 * TypeScript client.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ContainerNotRunning, type Container } from '../../client/src/index.js';
import { launchChromium } from '../helpers/browser.js';
import { useDaemon } from '../helpers/daemon.js';
import { removeAfterAll } from '../helpers/engines.js';

const tag = randomBytes(3).toString('hex');
const name = `pd-dash-life-${tag}`;
const fromSnapshot = `pd-dash-life-from-${tag}`;
const image = `pd-dash-snap-${tag}:v1`;

describe('dashboard lifecycle controls in Chromium', () => {
  const s = useDaemon({ tcp: true });
  const made = removeAfterAll();
  made.containers.push(name, fromSnapshot);
  made.images.push(image);
  let browser: Browser;
  let page: Page;
  let c: Container;
  /** The methods the page called over its WebSocket, in order. */
  const sent: string[] = [];
  const calls = (method: string) => sent.filter((m) => m === method).length;
  const row = (n = name) => page.locator(`tr[data-name="${n}"]`);
  const panel = () => page.getByRole('region', { name: `Sandbox ${name}` });
  /** A button of the sandbox's action bar (not one of its dialogs). */
  const action = (label: string) =>
    panel()
      .locator('.actions > button')
      .filter({ hasText: new RegExp(`^${label}$`) });
  /** Opens the dialog of the action `label` and answers it with the button `reply` (Cancel, or the action). */
  const answer = async (label: string, title: string, reply: string) => {
    await action(label).click();
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.getByRole('button', { name: reply, exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  const status = async () => (await s.pd.listContainers()).find((x) => x.name === name)?.status;
  const notice = (text: string) => page.getByRole('status').filter({ hasText: text });
  /** Types a line into the terminal and waits for `expected` on its screen. */
  const typeLine = async (line: string, expected: string) => {
    // Keys typed before the shell's prompt may come before the PTY is open.
    await page.locator('.xterm-rows').getByText('$').first().waitFor();
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await page.locator('.xterm-rows').getByText(expected, { exact: true }).waitFor();
  };

  beforeAll(async () => {
    c = await s.pd.createNewContainer({ name });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const m = /"method":"([^"]+)"/.exec(String(f.payload));
        if (m) sent.push(m[1]!);
      }),
    );
    await page.goto(await s.pd.dashboardUrl());
    await row().getByText('running').waitFor();
    await row().getByRole('button', { name }).click();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('asks before stopping: Cancel leaves it running, Stop stops it, and the list and panel say so', async () => {
    await answer('Stop', `Stop ${name}?`, 'Cancel');
    expect(await status()).toBe('running');

    await answer('Stop', `Stop ${name}?`, 'Stop');
    await notice(`Stopped ${name}`).waitFor();
    await row().locator('.status').getByText('exited').waitFor();
    await panel().getByText('This sandbox is exited').waitFor();
    expect(await action('Reboot').isDisabled()).toBe(true);
    expect(await status()).toBe('exited');
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerNotRunning);
    // The confirmed Stop was the only one sent: the cancelled one called nothing.
    expect(calls('container.stop')).toBe(1);
  });

  it('resumes a stopped sandbox, its files intact, and shows its views again', async () => {
    await action('Resume').click();
    await notice(`Resumed ${name}`).waitFor();
    await row().locator('.status').getByText('running').waitFor();
    await page.getByRole('tab', { name: 'Run' }).waitFor();
    expect(await status()).toBe('running');
    expect((await c.run('echo back')).stdout).toBe('back\n');
  });

  it('asks before rebooting: Cancel leaves its processes running, Reboot restarts it and the terminal opens a new shell', async () => {
    const { startedAt } = await c.info();
    const sleeper = await c.run('sleep 6001', { detach: true });
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await typeLine('echo before-$((1+1))', 'before-2');

    await answer('Reboot', `Reboot ${name}?`, 'Cancel');
    expect((await c.info()).startedAt).toBe(startedAt);
    expect(await sleeper.isRunning()).toBe(true);

    await answer('Reboot', `Reboot ${name}?`, 'Reboot');
    await notice(`Rebooted ${name}`).waitFor();
    await row().locator('.status').getByText('running').waitFor();
    const after = await c.info();
    expect(after.status).toBe('running');
    expect(after.startedAt).not.toBe(startedAt);
    expect((await c.run("pgrep -f 'sleep [6]001' || echo none")).stdout).toBe('none\n');
    expect(calls('container.reboot')).toBe(1);

    // The reboot ended the shell: the terminal holds a new one.
    await page.locator('.xterm-rows').getByText('before-2', { exact: true }).waitFor({ state: 'detached' });
    await typeLine('echo after-$((2+1))', 'after-3');
  });

  it('asks for a name before a snapshot: Cancel takes none, Snapshot saves an image a new sandbox starts from', async () => {
    await c.run('echo kept > /home/sandbox/kept.txt');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await answer('Snapshot', `Snapshot ${name}`, 'Cancel');

    await action('Snapshot').click();
    const dialog = page.getByRole('dialog', { name: `Snapshot ${name}` });
    await dialog.getByLabel('Image name').fill(image);
    await dialog.getByRole('button', { name: 'Snapshot' }).click();
    await notice(`Saved ${name} as the image ${image}`).waitFor();
    expect(calls('container.snapshot')).toBe(1);
    await row().locator('.status').getByText('running').waitFor();
    // The engine paused the sandbox while it copied it: its terminal lives on.
    await typeLine('echo still-$((3+1))', 'still-4');

    const copy = await s.pd.createNewContainer({ image, name: fromSnapshot });
    expect((await copy.run('cat /home/sandbox/kept.txt')).stdout).toBe('kept\n');
    await row(fromSnapshot).getByText('running').waitFor();
    await copy.shutdown({ force: true });
    await row(fromSnapshot).waitFor({ state: 'detached' });
  });

  it('asks before destroying: Cancel keeps it, Destroy removes it from the daemon and the page', async () => {
    await answer('Destroy', `Destroy ${name}?`, 'Cancel');
    expect(await status()).toBe('running');

    await answer('Destroy', `Destroy ${name}?`, 'Destroy');
    await notice(`Destroyed ${name}`).waitFor();
    await row().waitFor({ state: 'detached' });
    await panel().waitFor({ state: 'detached' });
    expect(await status()).toBeUndefined();
    expect(calls('container.destroy')).toBe(1);
  });
});
