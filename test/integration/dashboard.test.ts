/**
 * The dashboard end to end, in a real headless Chromium against a real daemon and engine: sign in
 * with the token, create a sandbox (and see why the daemon refuses one, in the form), see its CPU and
 * memory pushed (never polled) and charted, stream a command's output, type into a terminal and resize
 * it, upload and download a file, download a directory as a tar (a larger one
 * refused with its size), see a sandbox another process creates
 * appear and its lease change live, destroy — and a wrong token and a foreign Origin refused. POCKETDOCK_SCREENSHOTS=DIR saves the main views there (docs/ in the README).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import tar from 'tar-stream';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connect } from '../../client/src/index.js';
import { launchChromium } from '../helpers/browser.js';
import { useDaemon } from '../helpers/daemon.js';

const shots = process.env.POCKETDOCK_SCREENSHOTS;
const tag = randomBytes(3).toString('hex');
const mine = `pd-dash-${tag}`;
const theirs = `pd-dash-other-${tag}`;
const leased = `pd-dash-leased-${tag}`;
const refusedName = `pd-dash-refused-${tag}`;
const hosted = `pd-dash-hosted-${tag}`;
const GRACE_S = 3;
const config = join(mkdtempSync(join(tmpdir(), 'pd-dash-')), 'pocketdockd.yaml');
writeFileSync(config, `leaseGraceSeconds: ${GRACE_S}\n`);

describe('dashboard in Chromium', () => {
  // Debug logging: the most the daemon ever writes, none of which may hold the token.
  const s = useDaemon({ tcp: true, args: ['--log-level', 'debug', '--config', config] });
  let log = '';
  /** What went over the page's WebSocket: container.info and container.create calls sent, container.stats pushes received. */
  const frames = { info: 0, create: 0, stats: 0 };
  /** The page's calls by id until answered; then answers and refusals counted by method. */
  const calls = new Map<number, string>();
  const answered: Record<string, number> = {};
  const refusals: Record<string, number> = {};
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const base = () => `http://127.0.0.1:${s.d.port}`;
  const row = (name: string) => page.locator(`tr[data-name="${name}"]`);
  const shoot = async (name: string) => {
    if (shots) await page.screenshot({ path: join(shots, `dashboard-${name}.png`) });
  };

  beforeAll(async () => {
    s.d.child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('websocket', (ws) => {
      // Binary frames (a header, then bytes) carry output, none of what is counted here.
      const message = (payload: string | Buffer) =>
        typeof payload === 'string' ? (JSON.parse(payload) as { id?: number; method?: string; error?: unknown }) : {};
      ws.on('framesent', (f) => {
        const m = message(f.payload);
        if (m.method === 'container.info') frames.info++;
        if (m.method === 'container.create') frames.create++;
        if (m.method && m.id !== undefined) calls.set(m.id, m.method);
      });
      ws.on('framereceived', (f) => {
        const m = message(f.payload);
        if (m.method === 'container.stats') frames.stats++;
        const method = m.id === undefined ? undefined : calls.get(m.id);
        if (!method) return;
        calls.delete(m.id!);
        answered[method] = (answered[method] ?? 0) + 1;
        if (m.error) refusals[method] = (refusals[method] ?? 0) + 1;
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
    for (const name of [mine, theirs, leased, hosted]) await s.pd.destroyContainer(name).catch(() => undefined);
  });

  it('signs in from the link: the token moves to an HttpOnly SameSite=Strict cookie and out of the address bar', async () => {
    const link = await s.pd.dashboardUrl();
    expect(link).toBe(`${base()}/?token=${s.d.token}`);
    await page.goto(link);
    expect(page.url()).toBe(`${base()}/`);
    await expect.poll(() => page.locator('header').textContent()).toContain('daemon 0.1.0');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'pocketdock_token', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('creates a sandbox from the form and lists it live', async () => {
    await page.getByRole('button', { name: 'New sandbox' }).click();
    await page.getByLabel('Name').fill(mine);
    await page.getByLabel('Memory limit').fill('256m');
    await page.getByRole('button', { name: 'Create' }).click();
    await row(mine).getByText('running').waitFor();
    expect(await row(mine).textContent()).toContain('pocketdock/minimal-python');
    await row(mine).getByRole('button', { name: mine }).click();
    await page.getByRole('tab', { name: 'Run' }).waitFor();
  });

  it('says in the form, readably, why the daemon refused a create, marking the field; one the form can check is not sent', async () => {
    await page.getByRole('button', { name: 'New sandbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'New sandbox' });
    const name = dialog.getByLabel('Name');
    const memory = dialog.getByLabel('Memory limit');
    const refused = dialog.getByRole('alert');
    await name.fill(mine);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await refused.getByText(`Not created: Name "${mine}" is already in use by another container`).waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-describedby')).toBe(await refused.getAttribute('id'));

    await name.fill(refusedName);
    await memory.fill('1m');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await refused.getByText("Not created: Memory limit must be at least 6m (the engine's minimum)").waitFor();
    expect(await memory.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-invalid')).toBe('false');
    expect(frames.create).toBe(3);

    // What the form can tell by itself never reaches the daemon: the browser says why at the field.
    await memory.fill('');
    await name.fill('no spaces allowed');
    await dialog.getByRole('button', { name: 'Create' }).click();
    expect(await name.evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(frames.create).toBe(3);
    expect((await s.pd.listContainers()).map((c) => c.name)).not.toContain(refusedName);
  });

  it('shows CPU and memory as the daemon pushes them, never asking container.info', async () => {
    await expect
      .poll(() => row(mine).locator('td.num').last().textContent(), { timeout: 15_000 })
      .toMatch(/^\d+(\.\d)? [KM]?B \/ 256\.0 MB$/);
    expect(await row(mine).locator('td.num').first().textContent()).toMatch(/^\d+\.\d %$/);
    await expect.poll(() => frames.stats, { timeout: 15_000 }).toBeGreaterThan(2);
    expect(frames.info).toBe(0);
  });

  it("streams a command's stdout and stderr while it runs", async () => {
    // The command waits for a file that the test creates only once the first lines are on the page.
    await page
      .getByLabel('Command', { exact: true })
      .fill('echo first; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const output = page.getByLabel('Command output');
    await output.getByText('first').waitFor();
    await output.locator('.stderr', { hasText: 'oops' }).waitFor();
    expect(await page.getByTestId('run-result').count()).toBe(0);
    await shoot('run');
    const c = await s.pd.resumeContainer(mine);
    await c.run('touch /tmp/go');
    await page.getByTestId('run-result').getByText('exit code 0').waitFor();
    expect(await output.textContent()).toMatch(/first\n(oops\n)?second\n/);
  });

  it('lists a detached process, follows its output live and kills it', async () => {
    await page.getByRole('tab', { name: 'Run' }).click();
    await page
      .getByLabel('Command', { exact: true })
      .fill('echo started; while :; do if [ -e /tmp/tick ]; then echo tick; rm /tmp/tick; fi; sleep 0.1; done');
    await page.getByRole('button', { name: 'Run in background' }).click();
    await page.getByRole('tab', { name: 'Processes' }).click();
    await page.getByRole('button', { name: /^echo started/ }).click();
    await page.getByRole('button', { name: 'Follow live' }).click();
    const output = page.getByLabel('Process output');
    await output.getByText('started').waitFor();
    const c = await s.pd.resumeContainer(mine);
    await c.run('touch /tmp/tick');
    await output.getByText('tick', { exact: true }).waitFor();
    await shoot('processes');
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.getByRole('dialog', { name: 'Kill this process?' }).getByRole('button', { name: 'Kill' }).click();
    await page.getByRole('table', { name: 'Processes' }).getByText('exited 143').waitFor();
  });

  it('opens a terminal on a PTY that echoes what is typed', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const rows = page.locator('.xterm-rows');
    await rows.getByText('$').first().waitFor();
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo typed-$((6*7))');
    await page.keyboard.press('Enter');
    await rows.getByText('typed-42', { exact: true }).waitFor();
    await shoot('terminal');
  });

  it('keeps what is typed while a new shell is being opened, and runs it there', async () => {
    const rows = page.locator('.xterm-rows');
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'New shell' }).click();
    // Typed at once, before the new PTY is there.
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo early-$((6*7))');
    await page.keyboard.press('Enter');
    await rows.getByText('early-42', { exact: true }).waitFor();
  });

  it('resizes the PTY with the panel and the window: the size the shell reads is the one on screen', async () => {
    const screen = page.locator('.xterm-rows');
    /** The PTY's size as `stty size` reads it inside the sandbox, and the rows the page shows. */
    const sizes = async (label: string) => {
      await page.locator('.xterm-helper-textarea').focus();
      await page.keyboard.type(`echo ${label}-$(stty size | tr ' ' x)`);
      await page.keyboard.press('Enter');
      const line = screen.getByText(new RegExp(`^${label}-\\d+x\\d+$`));
      await line.waitFor();
      const [rows, cols] = (await line.textContent())!
        .slice(label.length + 1)
        .split('x')
        .map(Number);
      return { rows, cols, shown: await screen.locator(':scope > div').count() };
    };
    /** Changes the layout, then waits until the daemon has answered the page's terminal.resize. */
    const resized = async (change: () => Promise<unknown>) => {
      const before = answered['terminal.resize'] ?? 0;
      await change();
      await expect.poll(() => answered['terminal.resize'] ?? 0).toBeGreaterThan(before);
    };
    const first = await sizes('first');
    expect(first.rows).toBe(first.shown);

    // Dragging the panel's corner: the browser sets its height.
    await resized(() => page.locator('.term-host').evaluate((el: HTMLElement) => (el.style.height = `${el.offsetHeight + 160}px`)));
    const taller = await sizes('taller');
    expect(taller.rows).toBeGreaterThan(first.rows!);
    expect(taller.rows).toBe(taller.shown);
    expect(taller.cols).toBe(first.cols);

    await resized(() => page.setViewportSize({ width: 1366 + 320, height: 800 }));
    const wider = await sizes('wider');
    expect(wider.cols).toBeGreaterThan(first.cols!);
    expect(wider.rows).toBe(taller.rows);
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  it('uploads a dropped file and downloads it back', async () => {
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByRole('list', { name: 'Files in /home/sandbox' }).waitFor();
    const content = `dropped in the dashboard ${tag}\n`;
    // A drop as the browser delivers it: a DataTransfer holding a File.
    const drop = await page.evaluateHandle(
      ([text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text!], 'dropped.txt', { type: 'text/plain' }));
        return dt;
      },
      [content],
    );
    await page.locator('.files').dispatchEvent('drop', { dataTransfer: drop });
    await page.getByRole('button', { name: 'dropped.txt' }).waitFor();
    const c = await s.pd.resumeContainer(mine);
    expect((await c.readFile('/home/sandbox/dropped.txt')).toString()).toBe(content);

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'dropped.txt' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('dropped.txt');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(content);
  });

  it('downloads a directory as a tar, and refuses one larger than the cap with the reason', async () => {
    const c = await s.pd.resumeContainer(mine);
    // A sparse file: 600 MiB by its size (what du -b and a tar count) without taking the disk.
    await c.run('mkdir -p trees/small/sub trees/huge && echo inside > trees/small/sub/a.txt && truncate -s 600M trees/huge/big');
    await page.getByLabel('Directory', { exact: true }).fill('/home/sandbox/trees');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('list', { name: 'Files in /home/sandbox/trees' }).getByRole('button', { name: 'small/' }).waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download small as a tar' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('small.tar');
    const members: Record<string, string> = {};
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (d) => parts.push(d as Buffer));
      stream.on('end', () => {
        members[header.name] = Buffer.concat(parts).toString();
        next();
      });
    });
    extract.end(readFileSync((await download.path())!));
    await once(extract, 'finish');
    expect(members).toEqual({ 'small/': '', 'small/sub/': '', 'small/sub/a.txt': 'inside\n' });

    await page.getByRole('button', { name: 'Download huge as a tar' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Downloading huge as a tar failed' });
    await refused
      .getByText('/home/sandbox/trees/huge holds 600.0 MiB, more than the dashboard downloads at once (512.0 MiB)', { exact: false })
      .waitFor();
    await shoot('files');
    await refused.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('shows a sandbox another process creates without reloading', async () => {
    const other = await s.d.client();
    try {
      await other.createNewContainer({ name: theirs });
      await row(theirs).getByText('running').waitFor();
      await other.stopContainer(theirs);
      await row(theirs).getByText('exited').waitFor();
    } finally {
      await other.close();
    }
    await page.getByRole('tab', { name: 'Resources' }).click();
    await page
      .locator('figcaption .key.memory')
      .getByText(/ of \d/)
      .waitFor();
    await page
      .locator('figcaption')
      .getByText(/pushed by the daemon every 1 s/)
      .waitFor();
    // The chart follows the pushes; only what does not change while it runs was asked, once.
    expect(frames.info).toBe(1);
  });

  it('draws CPU and memory over time from the pushed samples: a busy sandbox climbs the CPU line', async () => {
    const busy = await (await s.pd.resumeContainer(mine)).run('sh -c "while :; do :; done"', { detach: true });
    try {
      /** The chart as drawn: its points, and the sample count its caption gives. */
      const chart = () =>
        page.evaluate(() => {
          const heights = (cls: string) =>
            document
              .querySelector(`svg.chart polyline.${cls}`)!
              .getAttribute('points')!
              .split(' ')
              .filter(Boolean)
              .map((p) => Number(p.split(',')[1]));
          const height = (document.querySelector('svg.chart') as SVGSVGElement).viewBox.baseVal.height;
          const samples = Number(/last (\d+) samples/.exec(document.querySelector('figcaption')!.textContent!)![1]);
          return { cpu: heights('cpu'), memory: heights('memory'), height, samples };
        });
      const stats = frames.stats;
      // Up to the cap of 60 kept: a point per sample, each line; the CPU line climbs past a quarter of its height.
      await expect
        .poll(
          async () => {
            const c = await chart();
            return c.cpu.length === c.samples && c.memory.length === c.samples && c.cpu.some((y) => y < c.height * 0.75);
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      expect(frames.stats).toBeGreaterThan(stats);
      const { cpu, samples } = await chart();
      expect(samples).toBeGreaterThan(1);
      expect(cpu.length).toBe(samples);
      expect(await page.locator('figcaption .key.cpu').textContent()).toMatch(/^CPU \d+\.\d %$/);
      if (shots) {
        await page.emulateMedia({ colorScheme: 'dark' });
        await shoot('dark');
        await page.emulateMedia({ colorScheme: 'light' });
      }
    } finally {
      await busy.kill(9);
    }
  });

  it('lists a sandbox made over the Unix socket with host access, which it may not drive, quietly; driving it says why', async () => {
    const refused = refusals['container.watchStats'] ?? 0;
    await s.pd.createNewContainer({ name: hosted, volumes: { [mkdtempSync(join(tmpdir(), 'pd-dash-host-'))]: '/data' } });
    await row(hosted).getByText('running').waitFor();
    // The page asked to follow its figures and was refused, once: no message for something nobody did.
    await expect.poll(() => refusals['container.watchStats'] ?? 0).toBe(refused + 1);
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    expect(await row(hosted).locator('td.num').first().textContent()).toBe('—');

    await row(hosted).getByRole('button', { name: hosted }).click();
    await page.getByLabel('Command', { exact: true }).fill('cat /data');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual([
        expect.stringMatching(
          new RegExp(`^The command failed: OptionRefused.*host-sandboxes-need-unix-socket.*${hosted} was made with volumes`),
        ),
      ]);
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
    await s.pd.destroyContainer(hosted);
    await row(hosted).waitFor({ state: 'detached' });
    await row(mine).getByRole('button', { name: mine }).click();
  });

  it('follows a lease live: its holder, away with the time it goes, gone once the grace runs out', async () => {
    const holder = await connect({
      daemon: s.d.socketPath,
      autoStart: false,
      clientName: 'lease-holder',
      resumeToken: randomBytes(18).toString('base64url'),
    });
    await holder.createNewContainer({ name: leased });
    const lease = row(leased).locator('td.lease');
    await lease.getByText('lease-holder', { exact: true }).waitFor();
    await holder.close();
    await lease.getByText(/^lease-holder \(away, removed at \d/).waitFor();
    await row(leased).waitFor({ state: 'detached', timeout: (GRACE_S + 10) * 1000 });
  });

  it('is keyboard reachable: Tab and Shift+Tab visit every control in page order, each with a visible focus ring', async () => {
    await page.getByRole('tab', { name: 'Run' }).click();
    // A result the tests before left fades within seconds (notices.ts), its Dismiss button with it: a control
    // that goes mid-walk would shift every later one.
    await page.waitForFunction(() => document.querySelector('.notice.info') === null);
    // What a keyboard user can reach: every visible control not taken out of the tab order.
    const expected = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]'))
        .filter((el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.checkVisibility())
        .map((el, i) => {
          el.dataset.tabOrder = String(i);
          return String(i);
        }),
    );
    expect(expected.length).toBeGreaterThan(10);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        // A hidden file input shows its ring on the label that wraps it.
        const ringed = el.matches('.sr-only') ? el.closest<HTMLElement>('.button')! : el;
        const style = getComputedStyle(ringed);
        return { order: el.dataset.tabOrder, ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
    // From the first control forwards with Tab, then back to it with Shift+Tab: both ways in page order.
    await page.locator('[data-tab-order="0"]').focus();
    const visited = [];
    for (let i = 1; i < expected.length; i++) {
      await page.keyboard.press('Tab');
      visited.push(await focused());
    }
    for (let i = expected.length - 2; i >= 0; i--) {
      await page.keyboard.press('Shift+Tab');
      visited.push(await focused());
    }
    expect(visited.map((v) => v.order)).toEqual([...expected.slice(1), ...expected.slice(0, -1).reverse()]);
    expect(visited.filter((v) => !v.ring)).toEqual([]);

    // The view tabs move with the arrow keys; a dialog opened from the keyboard keeps focus and Escape closes it.
    await page.getByRole('tab', { name: 'Run' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Processes' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-Processes');
    await page.getByRole('button', { name: 'Destroy' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Destroy ${mine}?` });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row(mine).count()).toBe(1);
  });

  it('passes axe-core (WCAG 2 A and AA: names, labels, contrast) in the light and the dark theme, following the system', async () => {
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.evaluate(axe.source);
    for (const [scheme, background] of [
      ['light', 'rgb(246, 247, 249)'],
      ['dark', 'rgb(15, 17, 21)'],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(background);
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect({ scheme, violations }).toEqual({ scheme, violations: [] });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('destroys a sandbox after asking', async () => {
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.getByRole('dialog', { name: `Destroy ${mine}?` });
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    await row(mine).waitFor({ state: 'detached' });
    expect((await s.pd.listContainers()).map((c) => c.name)).not.toContain(mine);
  });

  it('refuses a wrong token: no cookie, and the page says it is not signed in', async () => {
    const stranger = await browser.newContext();
    try {
      const p = await stranger.newPage();
      await p.goto(`${base()}/?token=${'0'.repeat(64)}`);
      expect(p.url()).toBe(`${base()}/`);
      await p
        .getByRole('alert')
        .getByText(/Not signed in/)
        .waitFor();
      expect(await stranger.cookies()).toEqual([]);
    } finally {
      await stranger.close();
    }
  });

  it("never writes the token into the daemon's log", () => {
    expect(log).toContain('dashboard: a browser signed in');
    expect(log).toContain('dashboard: sign-in with a wrong token refused');
    expect(log).not.toContain(s.d.token);
    expect(log).not.toContain('0'.repeat(64));
  });

  it('refuses a page of another origin, even on the same host with the cookie in the browser', async () => {
    // Another port on 127.0.0.1 is the same site, so the SameSite cookie goes along: Origin must stop it.
    const foreign: Server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    try {
      const p = await context.newPage();
      await p.goto(`http://127.0.0.1:${(foreign.address() as { port: number }).port}/`);
      const outcome = await p.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onclose = () => resolve('refused');
          }),
        `ws://127.0.0.1:${s.d.port}/rpc`,
      );
      expect(outcome).toBe('refused');
      await p.close();
    } finally {
      foreign.close();
    }
    // The same refusal, seen from the daemon's side: the right cookie with a foreign Origin gets 401.
    const status = await new Promise<number>((resolve) => {
      const ws = new NodeWebSocket(`ws://127.0.0.1:${s.d.port}/rpc`, {
        headers: { origin: 'http://evil.example', cookie: `pocketdock_token=${s.d.token}` },
      });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});
