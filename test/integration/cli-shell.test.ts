// `pocketdock shell` on a real terminal (tmux): typing, resizing, Ctrl-C, the exit status, the local
// terminal restored even when the daemon dies; colour on a terminal unless NO_COLOR; progress bars on a terminal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

describe('progress', () => {
  it('is a bar on a terminal, and the summary line once done', async () => {
    const name = `${box}-progress`;
    const file = join(mkdtempSync(join(tmpdir(), 'pd-cli-progress-')), 'big.bin');
    writeFileSync(file, randomBytes(4_000_000));
    await s.pd.createNewContainer({ name });
    try {
      // script(1) gives the command a terminal and records every byte it draws, the bar's frames included.
      const cmd = `node ${CLI_BIN} --daemon ${s.d.socketPath}`;
      const drawn = await new Promise<{ code: number; out: string }>((resolve) =>
        execFile(
          'script',
          ['-qec', `${cmd} push ${name} ${file} big.bin && ${cmd} pull ${name} big.bin ${file}.back`, '/dev/null'],
          (err, out) => resolve({ code: err ? (err.code as number) : 0, out }),
        ),
      );
      expect(drawn.code).toBe(0);
      expect(drawn.out).toMatch(/push \S+ → \S+:big\.bin [█░]{10,} +\d+% /);
      // The bar is cleared once done (its line rewritten in place), then the summary is printed.
      expect(drawn.out).toMatch(/push \S+ → \S+:big\.bin: 4\.0 MB in [\d.]+ s\r?$/m);
      expect(drawn.out).toMatch(/pull \S+:big\.bin → \S+ [█░]{10,} +\d+% /);
      expect(drawn.out).toMatch(/pull \S+:big\.bin → \S+: 4\.0 MB in [\d.]+ s\r?$/m);
    } finally {
      await s.pd.destroyContainer(name).catch(() => undefined);
    }
  });
});
