/**
 * A terminal for tests of interactive programs: a detached tmux session running bash, driven with
 * send-keys and read with capture-pane, as a person at a terminal would.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Tmux {
  readonly name: string;
  /** Types `text` (literally), then Enter unless `enter` is false. */
  type(text: string, enter?: boolean): Promise<void>;
  /** Sends tmux key names, e.g. "C-c". */
  keys(...names: string[]): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** The visible screen; with `escapes`, its colour and attribute sequences too. */
  screen(escapes?: boolean): Promise<string>;
  /** Reads the screen until `pattern` shows (the screen is all a terminal offers: there is no event). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

export async function openTmux(cols: number, rows: number, env: Record<string, string> = {}): Promise<Tmux> {
  const name = `pdtest-${randomBytes(4).toString('hex')}`;
  const exports = Object.entries({ PS1: '$ ', ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  await run('tmux', ['new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), `env ${exports} bash --norc --noprofile`]);
  const t: Tmux = {
    name,
    type: async (text, enter = true) => {
      await run('tmux', ['send-keys', '-t', name, '-l', text]);
      if (enter) await run('tmux', ['send-keys', '-t', name, 'Enter']);
    },
    keys: async (...names) => {
      await run('tmux', ['send-keys', '-t', name, ...names]);
    },
    resize: async (c, r) => {
      await run('tmux', ['resize-window', '-t', name, '-x', String(c), '-y', String(r)]);
    },
    screen: async (escapes = false) => (await run('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name])).stdout,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await t.screen();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${pattern}:\n${text}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill: async () => {
      await run('tmux', ['kill-session', '-t', name]).catch(() => undefined);
    },
  };
  return t;
}
