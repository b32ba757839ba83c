// Terminals on every engine that answers: a PTY exec with raw input, echo, resize, Ctrl-C, a REPL, vi, top, and exit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Terminal } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();
const hasDevImage = new Map(
  await Promise.all(
    engines.map(
      async (e) =>
        [
          e.name,
          await e.docker
            .getImage('pocketdock/dev')
            .inspect()
            .then(
              () => true,
              () => false,
            ),
        ] as const,
    ),
  ),
);
const suite = useDaemon();

/** Everything a terminal prints, and a way to wait (like expect) for the next match after the last one. */
function screen(t: Terminal): { text: () => string; waitFor: (re: RegExp) => Promise<string> } {
  let text = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  t.onData((data) => {
    text += data;
    for (const w of waiters) w();
  });
  return {
    text: () => text,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(text.slice(cursor));
          if (!m) return;
          cursor += m.index + m[0].length;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m[0]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${re} after ${JSON.stringify(text.slice(0, cursor))} in ${JSON.stringify(text.slice(cursor))}`));
        }, 15_000);
        waiters.add(check);
        check();
      }),
  };
}

describe.each(engines)('terminal on $name', (e) => {
  let c: Container;

  beforeAll(async () => {
    c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
  });

  afterAll(async () => {
    await c?.shutdown({ force: true }).catch(() => undefined);
  });

  it('echoes input, resizes, delivers Ctrl-C to the foreground process, and exits', async () => {
    const t = await c.openTerminal({ rows: 24, cols: 80 });
    const s = screen(t);
    await t.write('PS1="pd\\$ "; stty size\r');
    await s.waitFor(/24 80/);
    // The size holds from the program's first instruction, not from a resize racing it.
    expect((await (await c.openTerminal({ command: 'stty size', rows: 7, cols: 50 })).exited).stdout).toBe('7 50\r\n');
    await t.write('echo typed-$((6*7))\r');
    expect(await s.waitFor(/typed-42/)).toBe('typed-42');
    expect(s.text()).toContain('echo typed-$((6*7))'); // the terminal echoed what was typed

    await t.resize(40, 132);
    await t.write('stty size\r');
    await s.waitFor(/40 132/);

    // "started" is printed once the job owns the terminal (a job-control shell hands it over in the
    // child before exec): a Ctrl-C sent earlier would go to the shell, as it would for a person.
    await t.write('bash -c "echo started; exec sleep 100"; echo slept\r');
    await s.waitFor(/started\r\n/);
    await t.write('\x03');
    await s.waitFor(/\^C/);
    await t.write('echo after-$((1+1))\r');
    await s.waitFor(/after-2/);
    expect(s.text()).not.toContain('\nslept');
    expect((await c.run('ps -eo args')).stdout).not.toContain('sleep 100');

    await t.write('exit 4\r');
    const result = await t.exited;
    expect(result.exitCode).toBe(4);
  });

  it('runs an interactive program: the python3 REPL', async () => {
    const t = await c.openTerminal({ command: 'python3 -q', rows: 30, cols: 100, env: { PD_GREETING: 'hello' } });
    const s = screen(t);
    await s.waitFor(/>>> /);
    await t.write('import os, shutil; print(os.environ["PD_GREETING"], os.environ["TERM"], shutil.get_terminal_size())\r');
    await s.waitFor(/hello xterm-256color os\.terminal_size\(columns=100, lines=30\)/);
    // The loop says it runs before it spins: a Ctrl-C sent while the REPL still reads the line would
    // interrupt the reading (and flush the input), not the loop.
    await t.write('print("spin" "ning", flush=True); exec("while True: pass")\r');
    await s.waitFor(/spinning\r\n/);
    await t.write(new Uint8Array([3]));
    await s.waitFor(/KeyboardInterrupt\r\n>>> /);
    await t.write('6 * 7\r');
    await s.waitFor(/42\r\n>>> /);
    await t.write('\x04');
    expect((await t.exited).exitCode).toBe(0);
  });

  it('runs a full-screen program: top draws at the terminal size and quits on a key', async () => {
    const t = await c.openTerminal({ command: 'top -d 0.5', rows: 20, cols: 90 });
    const s = screen(t);
    await s.waitFor(/load average/);
    await s.waitFor(/\[\d*;?\d*H/); // cursor addressing (ESC [ row ; col H): it draws a screen, not lines
    await t.write('q');
    expect((await t.exited).exitCode).toBe(0);
  });

  it.skipIf(!hasDevImage.get(e.name))('edits a file with vi (the dev profile has vim)', async () => {
    const dev = await suite.pd.createNewContainer({ image: 'pocketdock/dev', socketPath: e.socketPath });
    try {
      const t = await dev.openTerminal({ command: 'vi /tmp/note.txt', rows: 24, cols: 80 });
      const s = screen(t);
      await s.waitFor(/note\.txt/);
      await t.write('ihello from vi\x1b');
      await t.write(':wq\r');
      expect((await t.exited).exitCode).toBe(0);
      expect((await dev.run('cat /tmp/note.txt')).stdout).toBe('hello from vi\n');
    } finally {
      await dev.shutdown({ force: true });
    }
  });

  it('is an exec: another client follows its output and its end', async () => {
    const t = await c.openTerminal({ command: 'cat', rows: 10, cols: 40 });
    const pd2 = await suite.d.client();
    try {
      const follow = pd2.attachProcess(t.id).stream();
      await t.write('line one\r');
      const it = follow[Symbol.asyncIterator]();
      let seen = '';
      while (!seen.includes('line one\r\nline one')) seen += (await it.next()).value?.data ?? '';
      await t.close();
      while (!(await it.next()).done);
      expect(follow.result?.exitCode).toBe(129);
    } finally {
      await pd2.close();
    }
  });

  it('hangs up when the client that opened it goes away, unless asked to keep it', async () => {
    const pd2 = await suite.d.client();
    const [gone, kept] = await Promise.all([
      pd2.openTerminal(c.name, { command: 'sleep 300' }),
      pd2.openTerminal(c.name, { command: 'sleep 301', keep: true }),
    ]);
    await pd2.close();
    expect(await suite.pd.attachProcess(gone.id).wait({ timeout: 10 })).toMatchObject({ exitCode: 129 });
    const survivor = suite.pd.attachProcess(kept.id);
    expect(await survivor.isRunning()).toBe(true);
    await survivor.kill(9);
    expect((await survivor.wait({ timeout: 10 })).exitCode).toBe(137);
  });

  it('names a bad size and an ended terminal in its errors', async () => {
    await expect(suite.pd.transport.call('terminal.open', { container: c.containerId, rows: 0, cols: 80 })).rejects.toMatchObject({
      name: 'InvalidParams',
    });
    const t = await c.openTerminal({ command: 'true' });
    await t.exited;
    await expect(t.write('x')).rejects.toMatchObject({ name: 'InvalidParams', field: 'terminalId' });
  });
});
