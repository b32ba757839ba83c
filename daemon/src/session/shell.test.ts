// The session's shell script on this machine's bash and dash: quoting, marks, stdin, exit, USR1.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SentinelScanner, type Mark } from './sentinel.js';
import { SHELL_INIT, commandLine, shellQuote } from './shell.js';

interface Outcome {
  stdout: string;
  stderr: string;
  mark: Mark;
}

/** A shell fed like a session's, one command at a time, its output split at the marks. */
class Shell {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly scanners = { stdout: new SentinelScanner(), stderr: new SentinelScanner() };
  private current:
    { out: Record<'stdout' | 'stderr', string>; marks: Partial<Record<'stdout' | 'stderr', Mark>>; done: (o: Outcome) => void } | undefined;
  private count = 0;
  private printed = () => undefined as void;

  constructor(argv: string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    for (const s of ['stdout', 'stderr'] as const) {
      this.child[s].on('data', (b: Buffer) => {
        for (const p of this.scanners[s].push(b)) {
          const cur = this.current;
          if (!cur) continue;
          if ('data' in p) {
            cur.out[s] += p.data.toString();
            this.printed();
            continue;
          }
          cur.marks[s] = p.mark;
          if (cur.marks.stdout && cur.marks.stderr) {
            this.current = undefined;
            cur.done({ ...cur.out, mark: cur.marks.stdout });
          }
        }
      });
    }
    this.child.stdin.write(SHELL_INIT);
  }

  /** Resolves once the running command has printed `text` on stdout. */
  printedText(text: string): Promise<void> {
    return new Promise((resolve) => {
      this.printed = () => {
        if (this.current?.out.stdout.includes(text)) resolve();
      };
      this.printed();
    });
  }

  run(command: string): Promise<Outcome> {
    const nonce = `n${++this.count}x${Math.random().toString(36).slice(2, 12)}`;
    for (const s of Object.values(this.scanners)) s.arm(nonce);
    return new Promise((done) => {
      this.current = { out: { stdout: '', stderr: '' }, marks: {}, done };
      this.child.stdin.write(commandLine(nonce, `m${this.count}`, command));
    });
  }
}

const shells: Shell[] = [];
afterEach(() => {
  for (const s of shells.splice(0)) s.child.kill('SIGKILL');
});

const SHELLS = [['bash', '--noprofile', '--norc'], ['dash']].filter(([bin]) => ['/bin', '/usr/bin'].some((d) => existsSync(`${d}/${bin}`)));

describe.each(SHELLS)('the session script on %s', (...argv) => {
  const open = () => {
    const s = new Shell(argv);
    shells.push(s);
    return s;
  };

  it('runs any text as it was sent: quotes, newlines, unicode, marks of other commands', async () => {
    const sh = open();
    for (const text of [`it's "quoted" \\ $HOME`, 'two\nlines', 'ünï ✓ 😀', "''''", "'\\''", '%s %d', String.raw`\036PDxx:0\036`]) {
      expect(await sh.run(`printf '%s' ${shellQuote(text)}`)).toMatchObject({ stdout: text, mark: { status: 0 } });
    }
  });

  it('keeps state, reports statuses, gives commands an empty stdin and the exec marker', async () => {
    const sh = open();
    await sh.run('cd /tmp; v=5; f() { return 3; }');
    expect(await sh.run('pwd; echo $v; f')).toMatchObject({ stdout: '/tmp\n5\n', mark: { status: 3, shellExited: false } });
    expect(await sh.run('cat; echo "[$POCKETDOCK_EXEC]" >&2')).toMatchObject({ stdout: '', stderr: '[m3]\n', mark: { status: 0 } });
    expect(await sh.run('set -e; false; echo on')).toMatchObject({ stdout: 'on\n', mark: { status: 0 } });
  });

  it('marks the command that ends the shell with its exit status', async () => {
    const sh = open();
    expect(await sh.run('echo bye; exit 9')).toMatchObject({ stdout: 'bye\n', mark: { status: 9, shellExited: true } });
  });

  it('abandons a loop of builtins on USR1 and stays usable', async () => {
    const sh = open();
    const loop = sh.run('echo looping; while :; do :; done');
    await sh.printedText('looping');
    sh.child.kill('SIGUSR1');
    expect((await loop).mark.shellExited).toBe(false);
    expect(await sh.run('echo alive')).toMatchObject({ stdout: 'alive\n' });
    sh.child.kill('SIGUSR1'); // idle: nothing to abandon, nothing breaks
    expect(await sh.run('echo still')).toMatchObject({ stdout: 'still\n' });
  });
});
