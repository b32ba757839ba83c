// `pocketdock shell` on a real terminal (tmux): typing, resizing, Ctrl-C, the exit status, the local
// terminal restored even when the daemon dies; colour on a terminal unless NO_COLOR; progress bars on a terminal.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import { startDaemon, useDaemon } from '../helpers/daemon.js';
import { openTmux, type Tmux } from '../helpers/tmux.js';

const s = useDaemon();
const box = `clishell-${randomBytes(3).toString('hex')}`;
const PROMPT = /sandbox@[0-9a-f]+:~\$ ?$/m;
/** Prints whether the local terminal is back in its normal (canonical, echoing) mode. */
const MODE = 'echo MODE=$(stty -a | grep -o -w -e -icanon -e -echo | tr -d "\\n")canonical';
let tmux: Tmux | undefined;

afterEach(async () => {
  await tmux?.kill();
});
afterAll(async () => {
  await s.pd.destroyContainer(box).catch(() => undefined);
});

describe('shell', () => {
  it('is a terminal: keys, resize, Ctrl-C reach the remote program; its exit status comes back; the terminal is restored', async () => {
    await s.pd.createNewContainer({ name: box });
    tmux = await openTmux(100, 30);
    await tmux.type(`node ${CLI_BIN} --daemon ${s.d.socketPath} shell ${box}; echo EXIT=$?`);
    await tmux.waitFor(PROMPT);
    await tmux.type('echo hi $((6*7)); stty size');
    await tmux.waitFor(/^hi 42\n30 100$/m);
    await tmux.resize(120, 40);
    await tmux.type('stty size');
    await tmux.waitFor(/^40 120$/m);
    await tmux.type('sleep 100; echo not interrupted');
    await tmux.waitFor(/sleep 100; echo not interrupted\n/);
    await tmux.keys('C-c');
    await tmux.waitFor(/\^C\n.*\$ ?$/m);
    await tmux.type('exit 7');
    await tmux.waitFor(/^EXIT=7$/m);
    await tmux.type(MODE);
    const screen = await tmux.waitFor(/^MODE=.*canonical$/m);
    expect(screen).toMatch(/^MODE=canonical$/m);
    expect(screen).not.toMatch(/^not interrupted$/m);
  });

  it('gives the terminal back, and says so, when the daemon dies under it', async () => {
    const d = await startDaemon();
    const pd = await d.client();
    const name = `${box}-dies`;
    try {
      await pd.createNewContainer({ name });
      tmux = await openTmux(200, 24);
      await tmux.type(`node ${CLI_BIN} --daemon ${d.socketPath} shell ${name}; echo EXIT=$?`);
      await tmux.waitFor(PROMPT);
      d.child.kill('SIGKILL');
      const screen = await tmux.waitFor(/^EXIT=\d+$/m);
      expect(screen).toMatch(/pocketdock: connection to the daemon .* closed/);
      expect(screen).toMatch(/^EXIT=3$/m);
      await tmux.type(MODE);
      expect(await tmux.waitFor(/^MODE=.*canonical$/m)).toMatch(/^MODE=canonical$/m);
    } finally {
      await d.stop();
      await s.pd.destroyContainer(name).catch(() => undefined);
    }
  });
});

describe('colour', () => {
  it('is on for a terminal and off with NO_COLOR', async () => {
    tmux = await openTmux(160, 30);
    await tmux.type(`node ${CLI_BIN} --daemon ${s.d.socketPath} profiles; echo DONE`);
    await tmux.waitFor(/^DONE$/m);
    expect(await tmux.screen(true)).toContain('\u001b[1mPROFILE');
    await tmux.type('clear');
    await tmux.type(`NO_COLOR=1 node ${CLI_BIN} --daemon ${s.d.socketPath} profiles; echo DONE`);
    await tmux.waitFor(/^DONE$/m);
    const plain = await tmux.screen(true);
    expect(plain).toContain('PROFILE');
    expect(plain).not.toContain('\u001b[1m');
  });
});

/** A bar's cells, filled or not. */
const BAR = '[█░]{10,}';

/**
 * Runs `pocketdock ARGS` on a terminal (tmux), recording every byte it draws (script(1)): the frames
 * of its bars, and the screen they leave once the command is over.
 */
async function onTerminal(args: string): Promise<{ code: number; drawn: string; screen: string }> {
  const log = join(mkdtempSync(join(tmpdir(), 'pd-cli-drawn-')), 'typescript');
  tmux = await openTmux(200, 40);
  await tmux.type(`script -qfec '${process.execPath} ${CLI_BIN} --daemon ${s.d.socketPath} ${args}' ${log}; echo EXIT=$?`);
  // An image archive moves hundreds of MB on a shared machine.
  const screen = await tmux.waitFor(/^EXIT=\d+$/m, 300_000);
  return { code: Number(/^EXIT=(\d+)$/m.exec(screen)![1]), drawn: readFileSync(log, 'utf8'), screen };
}

/** What each frame of `label`'s progress showed: `shown` matches the value, its first group the number. */
function frames(drawn: string, label: string, shown: string): number[] {
  return [...drawn.matchAll(new RegExp(`${label} ${shown}`, 'g'))].map((m) => Number(m[1]));
}

const PERCENT = `${BAR} +(\\d+)%`;
/** Without a total only the bytes moved are shown: "1.7 MB". */
const MEGABYTES = '([\\d.]+) MB';

/**
 * A transfer's progress on a terminal: frames that go up (from 0% when there is a total) and never
 * back; then nothing of them is left on the screen — the line cleared, the summary written on it.
 */
function expectTransfer(r: { code: number; drawn: string; screen: string }, label: string, shown: string, summary: RegExp): number[] {
  expect(r.code, r.screen).toBe(0);
  const values = frames(r.drawn, label, shown);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(new Set(values).size).toBeGreaterThan(shown === PERCENT ? 10 : 1);
  if (shown === PERCENT) expect(values[0]).toBe(0);
  // Its cursor hidden while it draws, shown again after.
  expect(r.drawn.lastIndexOf('\u001b[?25h')).toBeGreaterThan(r.drawn.lastIndexOf('\u001b[?25l'));
  expect(r.screen).not.toMatch(/[█░]/);
  expect(r.screen).toMatch(new RegExp(summary.source, 'm'));
  return values;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('progress on a terminal', () => {
  it('push and pull of a tree (no total): the bytes moved as they grow, then the summary in their place', async () => {
    const name = `${box}-progress`;
    // A directory: a tree goes as a tar of unknown length (a single file has its size, and a bar).
    const tree = join(mkdtempSync(join(tmpdir(), 'pd-cli-progress-')), 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'big.bin'), randomBytes(4_000_000));
    await s.pd.createNewContainer({ name });
    try {
      const push = `push ${tree} → ${name}:tree`;
      expectTransfer(
        await onTerminal(`push ${name} ${tree} tree`),
        escape(push),
        MEGABYTES,
        new RegExp(`^${escape(push)}: 4\\.0 MB in [\\d.]+ s$`),
      );
      await tmux!.kill();
      const pull = `pull ${name}:tree → ${tree}.back`;
      expectTransfer(
        await onTerminal(`pull ${name} tree ${tree}.back`),
        escape(pull),
        MEGABYTES,
        new RegExp(`^${escape(pull)}: 4\\.0 MB in [\\d.]+ s$`),
      );
    } finally {
      await s.pd.destroyContainer(name).catch(() => undefined);
    }
  });

  it('export and import: a bar that advances, then the summary in its place', async () => {
    const archive = join(mkdtempSync(join(tmpdir(), 'pd-cli-progress-')), 'images.tar');
    const exported = await onTerminal(`export minimal-python -o ${archive}`);
    const exportLabel = escape(`export → ${archive}`);
    const exportedFrames = expectTransfer(
      exported,
      exportLabel,
      PERCENT,
      new RegExp(`^${exportLabel}: [\\d.]+ MB in [\\d.]+ s\npocketdock/minimal-python$`),
    );
    // The archive's size was told beforehand (an estimate): the bar ends near its end.
    expect(exportedFrames.at(-1)).toBeGreaterThanOrEqual(90);
    await tmux!.kill();
    const imported = await onTerminal(`import ${archive}`);
    const importLabel = escape(`import ${archive}`);
    const importedFrames = expectTransfer(imported, importLabel, PERCENT, new RegExp(`^${importLabel}: [\\d.]+ MB in [\\d.]+ s\nIMAGE `));
    expect(importedFrames.at(-1)).toBe(100);
  });

  it('build: a bar per profile drawn at each Dockerfile step, left at its last step', async () => {
    // A forced build of a built profile runs every step from the engine's cache: the same image again.
    const r = await onTerminal('build minimal-python --force');
    expect(r.code, r.screen).toBe(0);
    // Lines before the first step have no total yet (a bar of 1).
    const total = Math.max(...frames(r.drawn, 'minimal-python', `${BAR} +\\d+/(\\d+)`));
    expect(total).toBeGreaterThan(3);
    const steps = frames(r.drawn, 'minimal-python', `${BAR} +(\\d+)/${total} `);
    expect([...new Set(steps)]).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(r.drawn.lastIndexOf('\u001b[?25h')).toBeGreaterThan(r.drawn.lastIndexOf('\u001b[?25l'));
    // On the screen: the finished bar (every cell filled), then the table; no half-drawn frame.
    const lines = r.screen.split('\n');
    const bar = lines.findIndex((l) => l.startsWith('minimal-python '));
    expect(lines[bar]).toMatch(new RegExp(`^minimal-python +█+ ${total}/${total} \\S`));
    expect(lines[bar + 1]).toMatch(/^PROFILE +IMAGE +BUILT +SIZE$/);
    expect(lines.filter((l) => /[█░]/.test(l))).toHaveLength(1);
  });
});
