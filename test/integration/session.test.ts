// Sessions on every engine that answers: state, exit codes, the sentinel's edge cases, queueing, timeouts, closing, sharing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionClosed, initProject, type Container, type Session } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();

describe.each(engines)('session on $name', (e) => {
  let c: Container;
  const open = (): Promise<Session> => c.session();

  beforeAll(async () => {
    c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
  });

  afterAll(async () => {
    await c?.shutdown({ force: true }).catch(() => undefined);
  });

  it('keeps cwd, variables and functions between commands, and reports exit codes', async () => {
    const s = await open();
    expect((await s.info()).shell).toBe('bash');
    expect(await s.sendAndWait('cd /tmp && x=42 && greet() { echo "hi $1"; }')).toMatchObject({ exitCode: 0, ok: true, stdout: '' });
    expect(await s.sendAndWait('pwd; echo $x; greet you')).toMatchObject({ stdout: '/tmp\n42\nhi you\n', stderr: '', exitCode: 0 });
    expect(await s.sendAndWait('echo oops >&2; false')).toMatchObject({
      stdout: '',
      stderr: 'oops\n',
      exitCode: 1,
      ok: false,
      timedOut: false,
    });
    expect((await s.sendAndWait('(exit 7)')).exitCode).toBe(7);
    expect((await s.sendAndWait('no-such-command')).exitCode).toBe(127);
    await expect(s.sendAndWait('echo a\0b')).rejects.toMatchObject({ name: 'InvalidParams', field: 'command' });
    await expect(suite.pd.transport.call('session.sendAndWait', { sessionId: s.id, command: 'true', timeout: 0 })).rejects.toMatchObject({
      name: 'InvalidParams',
      field: expect.stringContaining('timeout'),
    });
    await s.close();
  });

  it('handles output without a trailing newline, multi-line commands and very long output', async () => {
    const s = await open();
    expect((await s.sendAndWait('printf abc')).stdout).toBe('abc');
    expect((await s.sendAndWait('printf err >&2')).stderr).toBe('err');
    expect((await s.sendAndWait('for i in 1 2 3\ndo\n  echo "line $i"\ndone\ncat <<EOF\nhere doc\nEOF')).stdout).toBe(
      'line 1\nline 2\nline 3\nhere doc\n',
    );
    expect((await s.sendAndWait(String.raw`echo it\'s 'single' "dou  ble" $((1+2)) '\\' "\$HOME" '%s'`)).stdout).toBe(
      String.raw`it's single dou  ble 3 \\ $HOME %s` + '\n',
    );
    const long = await s.sendAndWait('seq 1 300000');
    expect(long.stdout.length).toBe(1_988_895);
    expect(long.stdout.endsWith('\n299999\n300000\n')).toBe(true);
    expect((await s.sendAndWait('echo after')).stdout).toBe('after\n');
    await s.close();
  });

  it('is not fooled by output that looks like a sentinel, or by replayed sentinels', async () => {
    const s = await open();
    // Every mark a command ever printed goes through the shell's stdout: capture some raw, then replay them.
    const fake = await s.sendAndWait(String.raw`printf '\036PD0123456789abcdef01234567:0\036tail'; printf '\036PDdeadbeef:x1\036' >&2`);
    expect(fake).toMatchObject({ stdout: '\x1ePD0123456789abcdef01234567:0\x1etail', stderr: '\x1ePDdeadbeef:x1\x1e', exitCode: 0 });
    const replay = await s.sendAndWait(String.raw`for n in $(seq 1 20); do printf '\036PD%024x:0\036' $n; done; echo end`);
    expect(replay.stdout.endsWith('end\n')).toBe(true);
    expect(replay.stdout.split('\x1e').length).toBe(41);
    await s.close();
  });

  it('gives commands /dev/null as stdin, so they cannot eat the commands after them', async () => {
    const s = await open();
    const results = await Promise.all([
      s.sendAndWait('cat; read x; echo "read:[$x]"'),
      s.sendAndWait('echo next'),
      s.sendAndWait('head -c 5'),
    ]);
    expect(results.map((r) => r.stdout)).toEqual(['read:[]\n', 'next\n', '']);
    await s.close();
  });

  it('survives set -e (errexit is ignored in session commands; a new shell honours it)', async () => {
    const s = await open();
    const r = await s.sendAndWait('set -e; false; echo still-here');
    expect(r).toMatchObject({ stdout: 'still-here\n', exitCode: 0 });
    expect((await s.sendAndWait('false')).exitCode).toBe(1);
    expect((await s.sendAndWait('echo alive')).stdout).toBe('alive\n');
    expect(await s.sendAndWait("bash -ec 'false; echo never'")).toMatchObject({ stdout: '', exitCode: 1 });
    await s.close();
  });

  it('runs concurrent calls one at a time, in the order they were made', async () => {
    const s = await open();
    const n = 12;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => s.sendAndWait(`echo start-${i}; sleep 0.0${i % 3}; echo end-${i}`)),
    );
    results.forEach((r, i) => expect(r.stdout).toBe(`start-${i}\nend-${i}\n`));
    await s.close();
  });

  it('interrupts a timed-out command, which is then gone, and stays usable', async () => {
    const s = await open();
    const slow = await s.sendAndWait('echo before; sleep 300; echo never', { timeout: 1 });
    expect(slow).toMatchObject({ timedOut: true, ok: false, stdout: 'before\n' });
    expect((await s.sendAndWait('ps -eo args | grep -c "^sleep 300" || true')).stdout).toBe('0\n');
    // A loop of builtins has no process to signal: the shell abandons it.
    const loop = await s.sendAndWait('i=0; while :; do i=$((i+1)); done', { timeout: 1 });
    expect(loop.timedOut).toBe(true);
    const pipe = await s.sendAndWait('while :; do sleep 1; done | cat', { timeout: 1 });
    expect(pipe.timedOut).toBe(true);
    expect((await s.sendAndWait('ps -eo args | grep -cE "^(sleep 1|cat)$" || true')).stdout).toBe('0\n');
    expect(await s.sendAndWait('echo usable; pwd')).toMatchObject({ stdout: 'usable\n/home/sandbox\n', timedOut: false, exitCode: 0 });
    await s.close();
  });

  it('lists sessions with their state, and names what it cannot open', async () => {
    const s = await open();
    const again = await c.session({ sessionId: s.id });
    expect(again.id).toBe(s.id);
    const listed = await suite.pd.transport.call('session.list', { container: c.containerId });
    expect(listed).toContainEqual({
      sessionId: s.id,
      containerId: c.containerId,
      shell: 'bash',
      open: true,
      reason: null,
      busy: false,
      queued: 0,
    });
    await expect(suite.pd.transport.call('session.open', { container: 'pd-no-such-thing' })).rejects.toMatchObject({
      name: 'ContainerNotFound',
    });
    await expect(suite.pd.transport.call('session.info', { sessionId: 'never-was' })).rejects.toMatchObject({
      name: 'SessionClosed',
      reason: expect.stringMatching(/no such session/),
    });
    await s.close();
    expect(await suite.pd.transport.call('session.info', { sessionId: s.id })).toMatchObject({ open: false, reason: 'closed by a client' });
  });

  it('fails every call with SessionClosed after close()', async () => {
    const s = await open();
    await s.close();
    await expect(s.sendAndWait('echo hi')).rejects.toBeInstanceOf(SessionClosed);
    // Another proxy of the same session hears the daemon's reason.
    const other = suite.pd.attachSession(s.id);
    await expect(other).rejects.toMatchObject({ name: 'SessionClosed', sessionId: s.id, reason: 'closed by a client' });
    await expect(suite.pd.transport.call('session.sendAndWait', { sessionId: s.id, command: 'true' })).rejects.toMatchObject({
      reason: 'closed by a client',
    });
  });

  it('ends with the shell: `exit` and a killed shell close the session', async () => {
    const s = await open();
    const queued = s.sendAndWait('echo queued');
    const exiting = s.sendAndWait('echo bye; exit 3');
    const after = s.sendAndWait('echo after');
    await expect(queued).resolves.toMatchObject({ stdout: 'queued\n' });
    await expect(exiting).rejects.toMatchObject({ name: 'SessionClosed', reason: expect.stringMatching(/exited with status 3/) });
    await expect(after).rejects.toBeInstanceOf(SessionClosed);
    await expect(s.read()).rejects.toBeInstanceOf(SessionClosed);

    const killed = await open();
    await c.run(`kill -9 $(grep -lzx POCKETDOCK_EXEC=${killed.id} /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)`);
    await expect(killed.sendAndWait('echo hi')).rejects.toMatchObject({
      name: 'SessionClosed',
      reason: expect.stringMatching(/shell ended/),
    });
  });

  it('is shared: a second client attaches by id, sends to it and reads it', async () => {
    const s = await open();
    await s.sendAndWait('cd /etc; export SHARED=yes');
    const pd2 = await suite.d.client();
    try {
      const s2 = await pd2.attachSession(s.id);
      expect((await s2.sendAndWait('pwd; echo $SHARED')).stdout).toBe('/etc\nyes\n');
      let seen = '';
      let wake = () => undefined as void;
      const saw = (text: string) =>
        new Promise<void>((resolve) => {
          wake = () => {
            if (seen.includes(text)) resolve();
          };
          wake();
        });
      await s2.onOutput((data) => {
        seen += data;
        wake();
      });
      await s.send('echo from-send; echo err-from-send >&2');
      await s.sendAndWait('true');
      // Both streams in arrival order (which the engine does not keep between stdout and stderr).
      expect((await s2.read()).split('\n').sort()).toEqual(['', 'err-from-send', 'from-send']);
      expect(await s.read()).toBe('');
      await s2.sendAndWait('echo watched');
      await saw('watched\n');
      expect(seen).toContain('from-send\n');
      expect(seen).not.toContain('\x1e');
      // The session's output is an exec's: offsets and overflow as for any process.
      const state = await pd2.attachProcess(s.id).info();
      expect(state).toMatchObject({ execId: s.id, running: true, bufferOverflow: false });
      expect(state.offsets.stdout).toBeGreaterThan(0);
      await s2.close();
      await expect(s.sendAndWait('true')).rejects.toBeInstanceOf(SessionClosed);
    } finally {
      await pd2.close();
    }
  });

  it('buffers like a detached process: read() and the exec buffers report what overflowed', async () => {
    const s = await open();
    const n = 3_000_000;
    await s.send(`head -c ${n} /dev/zero | tr '\\0' x`);
    await s.sendAndWait('true');
    const out = await s.read();
    expect(out.length).toBe(1024 * 1024);
    expect(s.lost).toBe(n - 1024 * 1024);
    expect(await s.read()).toBe('');
    expect(s.lost).toBe(0);
    const state = await suite.pd.attachProcess(s.id).info();
    expect(state).toMatchObject({ bufferOverflow: true, dropped: { stdout: state.offsets.stdout - 1024 * 1024, stderr: 0 } });
    expect(state.offsets.stdout).toBeGreaterThan(n);
    await s.close();
  });

  it("records each command in a project container's history.jsonl and its output in logs/", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-session-project-'));
    const root = await initProject(dir, { projectName: 'sessions' });
    const pc = await suite.pd.createNewContainer({ projectRoot: root, socketPath: e.socketPath });
    try {
      const s = await pc.session();
      await s.sendAndWait('echo one');
      await s.send('echo two >&2; false');
      await s.sendAndWait('true');
      await s.close();
      const lines = readFileSync(join(pc.dataPath, 'history.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toMatchObject([
        { kind: 'session', command: 'echo one', exit_code: 0 },
        { kind: 'session', command: 'echo two >&2; false', exit_code: 1 },
        { kind: 'session', command: 'true', exit_code: 0 },
      ]);
      expect(readFileSync(join(pc.dataPath, 'logs', `session-${s.id}.log`), 'utf8')).toBe(
        '$ echo one\none\n$ echo two >&2; false\ntwo\n$ true\n',
      );
    } finally {
      await pc.shutdown({ force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
