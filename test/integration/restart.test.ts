// A daemon killed with SIGKILL and started again on the same socket and state dir: persistent
// containers are listed and usable, leased ones get a fresh grace period (kept when their holder
// comes back, removed when it does not), and a detached process is found again, killed and waited on.
// Through the in-container agent (on Docker and Podman) a session comes back whole — the same shell,
// its variables — and a detached process with its live output and real exit code; a session whose
// shell ran as an engine exec (--no-agent) cannot, and its id says so at once (ProcessLost).
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LimitExceeded, ProcessLost, connect, type PocketDock } from '../../client/src/index.js';
import { EXEC_MODE, useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll, type TestEngine } from '../helpers/engines.js';

const configDir = mkdtempSync(join(tmpdir(), 'pd-restart-'));
const config = join(configDir, 'pocketdockd.yaml');
writeFileSync(config, 'leaseGraceSeconds: 3\n');

const engines = await availableEngines();
const { containers: made } = removeAfterAll(engines);
const startDaemon = useDaemons();

async function kill9(d: TestDaemon): Promise<void> {
  const exited = once(d.child, 'exit');
  d.child.kill('SIGKILL');
  await exited;
}

const token = () => randomBytes(18).toString('base64url');
// Not reconnecting by themselves: whether a holder comes back is the test's choice.
const client = (d: TestDaemon, resumeToken: string): Promise<PocketDock> =>
  connect({ daemon: d.socketPath, autoStart: false, reconnect: false, resumeToken, clientName: `holder-${resumeToken.slice(0, 4)}` });

describe('daemon restart after SIGKILL', () => {
  it('keeps persistent containers, re-leases ephemeral ones for a grace period, finds a detached process again', async () => {
    const first = await startDaemon({ args: ['--config', config] });
    const [comesBack, staysAway] = [token(), token()];
    const a = await client(first, comesBack);
    const b = await client(first, staysAway);
    const kept = await a.createNewContainer({ persist: true });
    const reclaimed = await a.createNewContainer();
    const abandoned = await b.createNewContainer();
    made.push(kept.containerId, reclaimed.containerId, abandoned.containerId);
    const sleeper = await kept.run('sleep 300', { detach: true });
    const finished = await reclaimed.run('echo done', { detach: true });
    await finished.wait();

    await kill9(first);

    const second = await startDaemon({ dir: first.dir, args: ['--config', config] });
    const again = await client(second, comesBack);
    expect((await again.hello()).resumed).toBe(true);
    const listed = async (name: string) => (await again.listContainers()).find((c) => c.name === name);
    expect(await listed(kept.name)).toMatchObject({ persist: true, status: 'running', lease: null });
    expect((await listed(reclaimed.name))?.lease).toMatchObject({ connected: true });
    expect((await listed(abandoned.name))?.lease).toMatchObject({ connected: false, expiresAt: expect.any(String) });

    const p = again.attachProcess(sleeper.id);
    expect(await p.info()).toMatchObject({ running: true, lost: true });
    await expect(again.attachProcess(finished.id).info()).rejects.toBeInstanceOf(ProcessLost);
    await p.kill(9);
    expect(await p.wait({ timeout: 30 })).toMatchObject({ exitCode: 137 });
    const resumed = await again.container(kept.name);
    const sleeping = await resumed.run(
      "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 300' || true",
    );
    expect(sleeping.stdout.trim()).toBe('0');

    await expect.poll(() => listed(abandoned.name), { timeout: 30_000, interval: 200 }).toBeUndefined();
    expect(await listed(reclaimed.name)).toMatchObject({ status: 'running' });
    await again.close();
  });
});

/** Runs a script in the container through the engine itself (no daemon runs meanwhile); its stdout, trimmed. */
async function engineSh(e: TestEngine, containerId: string, script: string): Promise<string> {
  const exec = await e.docker.getContainer(containerId).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  e.docker.modem.demuxStream(stream, out, new PassThrough());
  await once(stream, 'end');
  return Buffer.concat(parts).toString().trim();
}

/** How many processes wait at the gate (the pattern does not match the grep itself). */
const RUNNING_GATE = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c 'pd-gat[e]' || true";

describe.each(engines)('daemon restart after SIGKILL on $name', (e) => {
  it.runIf(EXEC_MODE === 'agent')(
    'takes over a session (same shell, its variables) and detached processes (live output, kill, real exit codes, one that ended meanwhile) from the agent',
    async () => {
      const first = await startDaemon();
      const pd = await first.client();
      const c = await pd.createNewContainer({ persist: true, socketPath: e.socketPath });
      made.push(c.containerId);
      const s = await c.session();
      await s.sendAndWait('kept=across-restarts; cd /tmp');
      const ticker = await c.run("trap 'exit 3' TERM; while :; do echo tick; sleep 0.1; done", { detach: true });
      const gated = await c.run('while [ ! -e /tmp/pd-gate ]; do sleep 0.05; done; exit 6', { detach: true });
      // The daemon dies while the shell runs a command: the next one takes the shell over in the middle of it.
      await s.send('touch /tmp/pd-busy; while [ ! -e /tmp/pd-shell-gate ]; do sleep 0.05; done; echo old-command-done');
      await expect.poll(async () => (await c.run('test -e /tmp/pd-busy')).exitCode).toBe(0);
      await kill9(first);
      // With no daemon running, one process ends: the agent keeps its exit code for the next daemon.
      await engineSh(e, c.containerId, 'touch /tmp/pd-gate');
      await expect.poll(() => engineSh(e, c.containerId, RUNNING_GATE), { timeout: 30_000, interval: 100 }).toBe('0');

      const second = await startDaemon({ dir: first.dir });
      const again = await second.client();
      const resumed = await again.attachSession(s.id);
      const next = resumed.sendAndWait('echo "$kept $(pwd)"');
      await (await again.container(c.name)).run('touch /tmp/pd-shell-gate');
      expect(await next).toMatchObject({ stdout: 'across-restarts /tmp\n', exitCode: 0 });
      expect(await again.transport.call('session.list', { container: c.name })).toMatchObject([
        { sessionId: s.id, open: true, shell: 'bash' },
      ]);

      const listed = await again.transport.call('exec.list', { container: c.name, kind: 'process' });
      expect(listed).toMatchObject([
        { execId: ticker.id, running: true, lost: true, command: expect.stringContaining('tick') },
        { execId: gated.id, running: false, lost: true, exitCode: 6 },
      ]);
      const p = again.attachProcess(ticker.id);
      // Live output: what it prints from the take-over on.
      await expect.poll(async () => (await p.peek()).stdout, { timeout: 30_000, interval: 100 }).toContain('tick\n');
      await p.kill(15);
      expect(await p.wait({ timeout: 30 })).toMatchObject({ exitCode: 3 });
      const g = again.attachProcess(gated.id);
      expect(await g.wait({ timeout: 30 })).toMatchObject({ exitCode: 6 });
      expect(await g.info()).toMatchObject({ running: false, lost: true });

      await resumed.close();
      await again.close();
      await pd.close().catch(() => undefined);
    },
  );

  it('answers ProcessLost at once for a session whose shell ran as an engine exec', async () => {
    const first = await startDaemon({ args: ['--no-agent'] });
    const pd = await first.client();
    const c = await pd.createNewContainer({ persist: true, socketPath: e.socketPath });
    made.push(c.containerId);
    const s = await c.session();
    await s.sendAndWait('true');
    await kill9(first);

    const second = await startDaemon({ dir: first.dir, args: ['--no-agent'] });
    const again = await second.client();
    await expect(again.transport.call('session.sendAndWait', { sessionId: s.id, command: 'true' })).rejects.toBeInstanceOf(ProcessLost);
    await expect(again.attachSession(s.id)).rejects.toBeInstanceOf(ProcessLost);
    await again.close();
    await pd.close().catch(() => undefined);
  });
});

describe('daemon restart after SIGKILL: per-client caps', () => {
  it.runIf(EXEC_MODE === 'agent')("counts a session taken back against its opener's cap, and only its", async () => {
    const capped = join(configDir, 'caps.yaml');
    writeFileSync(capped, 'limits:\n  maxSessionsPerClient: 1\n');
    const first = await startDaemon({ args: ['--config', capped] });
    const opener = token();
    const a = await client(first, opener);
    const c = await a.createNewContainer({ persist: true });
    made.push(c.containerId);
    const s = await c.session();
    await kill9(first);

    const second = await startDaemon({ dir: first.dir, args: ['--config', capped] });
    const again = await client(second, opener);
    const resumed = await again.attachSession(s.id);
    const inContainer = await again.container(c.name);
    await expect(inContainer.session()).rejects.toBeInstanceOf(LimitExceeded);
    const other = await client(second, token());
    await (await (await other.container(c.name)).session()).close();
    await resumed.close();
    await (await inContainer.session()).close();
    await Promise.all([again.close(), other.close()]);
  });
});
