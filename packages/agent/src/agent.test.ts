// The agent binary on this machine (no engine): spawning, output, exits, and trees that must die whole.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentBinary, agentVersion } from './binary.js';
import { AgentClient, type AgentCommand } from './client.js';
import type { SpawnSpec } from './codec.js';

const ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;

type Proc = ChildProcessByStdio<Writable, Readable, null>;
const procs: Proc[] = [];
/** The binary, copied to a directory of this file's own: agents hand over to those beside the same binary. */
let bin: string;

beforeAll(() => {
  const built = agentBinary(ARCH);
  if (!built) throw new Error('the agent is not built: run `npm run build -w packages/agent`');
  bin = join(mkdtempSync(join(tmpdir(), 'pd-agent-')), 'pocketdock-agent');
  copyFileSync(built, bin);
});

afterEach(() => { for (const p of procs.splice(0)) p.kill('SIGKILL'); });

async function start(): Promise<AgentClient> {
  const proc: Proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  procs.push(proc);
  const client = new AgentClient((data) => proc.stdin.write(data));
  proc.stdout.on('data', (chunk: Buffer) => client.push(chunk));
  proc.stdout.on('end', () => client.close(new Error('agent ended')));
  await client.ready;
  return client;
}

interface Ran {
  cmd: AgentCommand;
  out: () => string;
  err: () => string;
}

function run(client: AgentClient, spec: Partial<SpawnSpec> & { argv: string[] }): Ran {
  const got = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const cmd = client.spawn({ env: [], cwd: '', stdin: false, ...spec }, (s, data) => got[s].push(Buffer.from(data)));
  return { cmd, out: () => Buffer.concat(got.stdout).toString(), err: () => Buffer.concat(got.stderr).toString() };
}

/** A command whose stdout is numbers, one a line (pids printed by a script): `upTo(n)` resolves with the first n. */
function numbers(client: AgentClient, spec: Partial<SpawnSpec> & { argv: string[] }): { cmd: AgentCommand; upTo(n: number): Promise<number[]> } {
  let text = '';
  const waiting: Array<() => void> = [];
  const got = () => text.split('\n').filter(Boolean).map(Number);
  const cmd = client.spawn({ env: [], cwd: '', stdin: false, ...spec }, (s, data) => {
    if (s === 'stdout') text += data.toString();
    for (const w of waiting.splice(0)) w();
  });
  const upTo = async (n: number): Promise<number[]> => {
    while (got().length < n) await new Promise<void>((r) => waiting.push(r));
    return got().slice(0, n);
  };
  return { cmd, upTo };
}

/** Running, not a zombie waiting for its parent (a shell reaps its background jobs only now and then). */
const alive = (pid: number) => {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
};

/** Whether `pid` is still alive once a SIGKILL sent to it has had up to 5 s to land (delivery is asynchronous). */
async function survives(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
    if (!alive(pid)) return false;
  }
  return true;
}

/** A line saying how the command's shell was started: `sh -c ` cold, `sh -s ` in the agent's spare shell. */
/** The agent keeps a spare shell only where `sh` is dash (Debian's and Ubuntu's, this project's CI). */
const SH_IS_DASH = basename(realpathSync(execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim())) === 'dash';
const SHELL_START = "head -c 6 /proc/$$/cmdline | tr '\\0' ' '; echo";

describe('pocketdock-agent', () => {
  it('says its version, then runs commands with separate stdout and stderr and their exit codes', async () => {
    const client = await start();
    // The build is the hash of the sources beside this test: a binary left from other sources fails here.
    expect(await client.ready).toBe(agentVersion());
    expect(agentVersion()).toMatch(/^pocketdock-agent 1 [0-9a-f]{16}$/);
    const r = run(client, { argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    expect(await r.cmd.exited).toBe(3);
    await r.cmd.gone;
    expect([r.out(), r.err()]).toEqual(['out\n', 'err\n']);
  });

  it('lays env over its own, runs in cwd, and feeds stdin', async () => {
    const client = await start();
    const a = run(client, { argv: ['sh', '-c', 'echo "$POCKETDOCK_T $(pwd) ${PATH:+path}"'], env: ['POCKETDOCK_T=x y'], cwd: '/tmp' });
    const b = run(client, { argv: ['cat'], stdin: true });
    b.cmd.write(Buffer.from('hello '));
    b.cmd.write(Buffer.from('there'));
    b.cmd.closeStdin();
    expect(await a.cmd.exited).toBe(0);
    expect(await b.cmd.exited).toBe(0);
    expect([a.out(), b.out()]).toEqual(['x y /tmp path\n', 'hello there']);
  });

  it('answers 127 with a reason for a program that does not exist, and 128+N for a signal', async () => {
    const client = await start();
    const missing = run(client, { argv: ['pocketdock-no-such-program'] });
    const killed = run(client, { argv: ['sh', '-c', 'kill -9 $$'] });
    expect(await missing.cmd.exited).toBe(127);
    expect(missing.err()).toMatch(/cannot run pocketdock-no-such-program/);
    expect(await killed.cmd.exited).toBe(137);
  });

  it('runs 100 commands at once to their own ends: every byte of their output and every exit code', async () => {
    // Their shims run in the agent's memory on stacks it reuses (src/spawn.c): a stack given to the
    // next shim before the last one on it was reaped fails this (checked).
    const client = await start();
    const runs = Array.from({ length: 100 }, (_, i) =>
      run(client, { argv: ['sh', '-c', `head -c ${i * 2999} /dev/zero | tr '\\0' x; echo e${i} >&2; exit ${i}`] }),
    );
    const codes = await Promise.all(runs.map((r) => r.cmd.exited));
    await Promise.all(runs.map((r) => r.cmd.gone));
    expect(codes).toEqual(runs.map((_, i) => i));
    expect(runs.map((r) => [r.out().length, /^x*$/.test(r.out()), r.err()])).toEqual(runs.map((_, i) => [i * 2999, true, `e${i}\n`]));
  });

  it("signals what a shell forks as the signal comes: a SIGTERM sent as it starts ends its command's child too", async () => {
    // The agent handles the signal right after the spawn, before the shell has forked `sleep`: a walk
    // of /proc would find the shell alone, and its child, forked a moment later, would outlive it.
    const client = await start();
    for (let i = 0; i < 60; i++) {
      // Cold starts and, with the marker alone for an environment, starts in the spare shell.
      const r = run(client, { argv: ['sh', '-c', 'sleep 60; echo never'], env: i % 2 ? ['POCKETDOCK_EXEC=t'] : [] });
      // Sent 0 to 5 ms into the shell's start, so that some land as it forks.
      await new Promise((resolve) => setTimeout(resolve, i % 6));
      await r.cmd.signal(15);
      expect(await r.cmd.exited).toBe(143);
      await r.cmd.gone;
    }
  });

  it.runIf(SH_IS_DASH)('starts a short `sh -c` with its marker in the spare shell, as a cold start would: output, messages, exit code, stdin', async () => {
    const client = await start();
    // The shell's own command line tells which start it had; the rest must not.
    const script = 'echo "$POCKETDOCK_EXEC"; cat; readlink /proc/self/fd/0; echo "$0 $@"\npocketdock-no-such-command\nexit 4';
    const ran = async (env: string[]) => {
      const r = run(client, { argv: ['sh', '-c', `${SHELL_START}; ${script}`], env });
      const code = await r.cmd.exited;
      await r.cmd.gone;
      const [cmdline, ...rest] = r.out().split('\n');
      return { cmdline, rest, err: r.err(), code };
    };
    const warm = await ran(['POCKETDOCK_EXEC=m1']);
    const cold = await ran(['POCKETDOCK_EXEC=m1', 'POCKETDOCK_T=1']); // an environment of its own: a cold start
    expect([warm.cmdline, cold.cmdline]).toEqual(['sh -s ', 'sh -c ']);
    expect(warm.rest).toEqual(['m1', '/dev/null', 'sh ', '']);
    expect({ ...warm, cmdline: '' }).toEqual({ ...cold, cmdline: '' });
    expect([warm.code, warm.err]).toEqual([4, 'sh: 2: pocketdock-no-such-command: not found\n']);
  });

  it.runIf(SH_IS_DASH)('starts cold while its spare shell is gone, and makes another', async () => {
    const client = await start();
    const agent = procs.at(-1)!.pid!;
    // The spare is the `sh -s` whose shim is the agent's child.
    const killSpare = `for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" = 'sh -s ' ] || continue; ` +
      `shim=$(cut -d' ' -f4 < $p/stat); [ "$(cut -d' ' -f4 < /proc/$shim/stat)" = ${agent} ] && kill -9 \${p#/proc/} && echo killed; done`;
    const killer = run(client, { argv: ['sh', '-c', killSpare] });
    expect(await killer.cmd.exited).toBe(0);
    expect(killer.out()).toBe('killed\n');
    const starts: string[] = [];
    for (let i = 0; i < 20 && starts.at(-1) !== 'sh -s '; i++) {
      const r = run(client, { argv: ['sh', '-c', `${SHELL_START}; echo $POCKETDOCK_EXEC`], env: [`POCKETDOCK_EXEC=k${i}`] });
      expect(await r.cmd.exited).toBe(0);
      await r.cmd.gone;
      const [cmdline, marker] = r.out().split('\n');
      expect(marker).toBe(`k${i}`);
      starts.push(cmdline ?? '');
    }
    expect(starts.at(-1)).toBe('sh -s ');
  });

  it('sends no more output than it is allowed, and the rest once allowed', async () => {
    const client = await start();
    const r = run(client, { argv: ['sh', '-c', 'head -c 300000 /dev/zero; echo done >&2'], limit: 1000 });
    await expect.poll(() => r.out().length, { timeout: 10_000 }).toBe(1000);
    // Nothing is an event here: the command, blocked on its pipe, neither sends nor ends for a while.
    const stalled = await Promise.race([r.cmd.exited.then(() => 'exited'), new Promise((res) => setTimeout(() => res('stalled'), 200))]);
    expect([stalled, r.out().length + r.err().length]).toEqual(['stalled', 1000]);
    r.cmd.allow(Infinity);
    expect(await r.cmd.exited).toBe(0);
    expect([r.out().length, r.err()]).toEqual([300000, 'done\n']);
  });

  it("takes a command's requests that come in one read with the end of another (listed before it, not yet freed)", async () => {
    const client = await start();
    const a = run(client, { argv: ['cat'], stdin: true });
    // b prints its shim's pid in 9 bytes and holds one byte back, so it is still listed once its tree is over.
    const b = run(client, { argv: ['sh', '-c', "printf '%08d\\n' $PPID; printf y"], limit: 9 });
    await expect.poll(() => b.out().length).toBe(9);
    const shim = Number(b.out());
    await expect.poll(() => existsSync(`/proc/${shim}`)).toBe(false); // reaped by the agent
    // One write, so one read: b ends on its raise, then comes a's stdin.
    const stdin = procs.at(-1)!.stdin;
    stdin.cork();
    b.cmd.allow(100);
    a.cmd.write(Buffer.from('x\n'));
    stdin.uncork();
    expect(await b.cmd.exited).toBe(0);
    await expect.poll(() => a.out()).toBe('x\n');
    a.cmd.closeStdin();
    expect(await a.cmd.exited).toBe(0);
  });

  it('stops the whole tree: TERM-ignoring, double-forked, setsid, nohup and env -i children', async () => {
    const client = await start();
    const script = [
      "trap '' TERM",
      'sleep 977 & echo $!',
      '(sleep 978 & echo $!)',
      'setsid sleep 979 & echo $!',
      'nohup sleep 980 >/dev/null 2>&1 & echo $!',
      'env -i sleep 981 & echo $!',
      'wait',
    ].join('\n');
    const { cmd, upTo } = numbers(client, { argv: ['sh', '-c', script] });
    const pids = await upTo(5);
    expect(pids.every(alive)).toBe(true);
    expect(await cmd.signal(15)).toBeGreaterThan(0);
    expect(await cmd.signal(9)).toBeGreaterThan(0);
    await cmd.gone;
    expect(pids.filter(alive)).toEqual([]);
    expect(await cmd.exited).toBe(137);
  });

  it('signals one session command by its marker (its forked subshells and env -i children too), sparing the shell and earlier commands', async () => {
    const client = await start();
    const { cmd: shell, upTo } = numbers(client, { argv: ['sh'], stdin: true, env: ['POCKETDOCK_EXEC=shell'] });
    // Its pid is told once it runs sleep: forked and not yet exec'd, it would still carry the shell's first environment.
    shell.write(Buffer.from('export POCKETDOCK_EXEC=m0; sleep 992 & p=$!; until read c < /proc/$p/comm && [ "$c" = sleep ]; do :; done; echo $p\n'));
    await upTo(1);
    shell.note('m1');
    shell.write(Buffer.from('export POCKETDOCK_EXEC=m1; sleep 990 & echo $!; env -i sleep 991 & echo $!; (while :; do sleep 1; done) & echo $!\n'));
    const [earlier, marked, cleared, subshell] = await upTo(4) as [number, number, number, number];
    expect(await shell.signalMarked(9, 'm1')).toBeGreaterThanOrEqual(3);
    expect(await shell.signalMain(0)).toBe(1);
    expect([await survives(marked), await survives(cleared), await survives(subshell), alive(earlier)]).toEqual([false, false, false, true]);
    await shell.signal(9);
    await shell.gone;
    expect(alive(earlier)).toBe(false);
  });

  it('outlives its daemon and hands its commands to the next agent started beside it: same shell, live stdin and output, exit codes', async () => {
    const first = await start();
    expect(await first.living).toEqual([]);
    const shell = run(first, { argv: ['sh'], stdin: true, env: ['POCKETDOCK_EXEC=s1'] });
    shell.cmd.write(Buffer.from('v=42; echo set\n'));
    await expect.poll(shell.out, { timeout: 10_000 }).toBe('set\n');
    run(first, { argv: ['sh', '-c', 'cat; exit 7'], stdin: true, env: ['POCKETDOCK_EXEC=p1'] });
    const ended = run(first, { argv: ['sh', '-c', 'sleep 300 & exit 5'], env: ['POCKETDOCK_EXEC=x1'] });
    expect(await ended.cmd.exited).toBe(5);
    // Its daemon goes: the agent lets its stream go and keeps the commands, and the exit code of one that ends meanwhile.
    const gate = join(bin, '..', `gate-${process.pid}`);
    const gated = numbers(first, { argv: ['sh', '-c', `echo $PPID; while [ ! -e ${gate} ]; do sleep 0.01; done; exit 6`], env: ['POCKETDOCK_EXEC=e1'] });
    const [shim] = await gated.upTo(1);
    procs[0]!.stdin.end();
    await first.closed;
    writeFileSync(gate, '');
    // The shim is the agent's child: its pid goes from /proc only once the agent has reaped it, and kept the exit code.
    await expect.poll(() => existsSync(`/proc/${shim}`), { timeout: 10_000 }).toBe(false);
    expect(procs[0]!.exitCode).toBe(null);

    const second = await start();
    const living = await second.living;
    expect(living.map(({ execId, stdin, exitCode, gone }) => ({ execId, stdin, exitCode, gone })).sort((a, b) => a.execId.localeCompare(b.execId))).toEqual([
      { execId: 'e1', stdin: false, exitCode: 6, gone: true },
      { execId: 'p1', stdin: true, exitCode: undefined, gone: false },
      { execId: 's1', stdin: true, exitCode: undefined, gone: false },
      { execId: 'x1', stdin: false, exitCode: 5, gone: false },
    ]);
    const got = { s1: '', p1: '' };
    const adopt = (execId: 's1' | 'p1' | 'x1') =>
      second.adopt(living.find((l) => l.execId === execId)!, (_s, data) => { if (execId !== 'x1') got[execId] += data.toString(); });
    const [s1, p1, x1] = [adopt('s1'), adopt('p1'), adopt('x1')];
    const e1 = second.adopt(living.find((l) => l.execId === 'e1')!, () => undefined);
    expect(await e1.exited).toBe(6);
    s1.write(Buffer.from('echo "v=$v"\n'));
    await expect.poll(() => got.s1, { timeout: 10_000 }).toBe('v=42\n');
    p1.write(Buffer.from('hi'));
    p1.closeStdin();
    expect(await p1.exited).toBe(7);
    expect(got.p1).toBe('hi');
    expect(await x1.exited).toBe(5);
    expect(await x1.signal(9)).toBe(1);
    await x1.gone;
    // New commands take ids of their own.
    const fresh = run(second, { argv: ['echo', 'new'] });
    expect(await fresh.cmd.exited).toBe(0);
    expect(fresh.out()).toBe('new\n');

    // The second daemon goes too: the process that handed over ends, the agent waits for a third.
    const bridged = once(procs[1]!, 'exit');
    procs[1]!.stdin.end();
    expect(await bridged).toEqual([0, null]);
    const third = await start();
    expect((await third.living).map((l) => l.execId)).toEqual(['s1']);
    const s1Again = third.adopt((await third.living)[0]!, () => undefined);
    s1Again.closeStdin();
    expect(await s1Again.exited).toBe(0);
    await s1Again.gone;
    // Its daemon gone with nothing left running, the agent ends and takes its socket with it.
    const ends = [once(procs[0]!, 'exit'), once(procs[2]!, 'exit')];
    procs[2]!.stdin.end();
    expect(await Promise.all(ends)).toEqual([[0, null], [0, null]]);
    const sockets = readdirSync(join(bin, '..', `.pocketdock-${process.getuid!()}`));
    expect(sockets.filter((name) => name.endsWith(`-${procs[0]!.pid}.sock`))).toEqual([]);
  }, 30_000);
});
