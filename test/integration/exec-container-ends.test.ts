// A command whose container is stopped or removed under it — by another client — fails with the
// container's typed error in both exec modes, instead of an exit code the command never chose
// (-1 from the agent's cut stream, 126 or 137 from the engine).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContainerGone, ContainerNotRunning, ProcessLost } from '../../client/src/index.js';
import { useDaemon, useDaemons } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';
import { availableEngines, containerProcesses, removeAfterAll } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();
const { containers: names } = removeAfterAll(engines);

const ended = (err: unknown) => err instanceof ContainerGone || err instanceof ContainerNotRunning;
/** A detached process asked after the daemon removed its container: the daemon forgot it with the container. */
const endedOrForgotten = (err: unknown) => ended(err) || err instanceof ProcessLost;

describe.each(engines)('a container ending under a command on $name', (e) => {
  const create = async (persist = false) => {
    const c = await suite.pd.createNewContainer({ socketPath: e.socketPath, persist });
    names.push(c.name);
    return c;
  };

  it('fails a streamed run and a detached process typed when another client removes the container', async () => {
    const c = await create();
    const other = await suite.d.client();
    try {
      const p = await c.run('sleep 300', { detach: true });
      const s = c.run('echo started; sleep 300', { stream: true, timeout: 600 });
      const seen: string[] = [];
      const read = (async () => {
        for await (const ch of s) {
          seen.push(ch.data);
          await (await other.container(c.name, { socketPath: e.socketPath })).shutdown({ force: true });
        }
      })();
      const failure = await read.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(seen).toEqual(['started\n']);
      expect(ended(failure), `${String(failure)} ${JSON.stringify(s.result)}`).toBe(true);
      const waited = await p.wait({ timeout: 30 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(endedOrForgotten(waited), String(waited)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('fails a blocking run with ContainerNotRunning when another client stops a persistent container', async () => {
    const c = await create(true);
    const other = await suite.d.client();
    try {
      const p = await c.run('sleep 300', { detach: true });
      const run = expect(c.run('sleep 300', { timeout: 600 })).rejects.toBeInstanceOf(ContainerNotRunning);
      await (await other.container(c.name, { socketPath: e.socketPath })).shutdown({ force: true });
      await run;
      await expect(p.wait({ timeout: 30 })).rejects.toBeInstanceOf(ContainerNotRunning);
    } finally {
      await other.close();
      await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
    }
  });
});

describe('a container this daemon is removing, as the engine still says it runs', () => {
  const startDaemon = useDaemons();

  /** SIGKILL, from the host, to the container's processes whose command line matches `pattern` (those still there). */
  async function kill(containerId: string, pattern: RegExp): Promise<number> {
    const pids = (await containerProcesses(containerId)).filter((p) => pattern.test(p.args)).map((p) => p.pid);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // a spare shell's shim may end meanwhile
      }
    }
    return pids.length;
  }

  it("fails a streamed run typed when its processes die before the container's first one", async () => {
    const proxy = new EngineProxy(join(mkdtempSync(join(tmpdir(), 'pd-proxy-')), 'engine.sock'));
    await proxy.up();
    const d = await startDaemon({ args: ['--engine-socket', proxy.path] });
    const pd = await d.client();
    const other = await d.client();
    const c = await pd.createNewContainer();
    try {
      const s = c.run('echo started; sleep 300', { stream: true, timeout: 600 });
      const chunks = s[Symbol.asyncIterator]();
      expect((await chunks.next()).value).toMatchObject({ data: 'started\n' });
      // The daemon's removal is in flight and the engine has not acted on it: the container runs, its first process too.
      const held = proxy.holdRequests(/^DELETE \/\S*containers\//);
      const shutdown = (await other.container(c.name)).shutdown({ force: true }).catch((err: unknown) => err);
      await held;
      // As a stop that kills a container's processes all at once can leave them: the command's
      // (and the agent's) gone, the first process not yet.
      expect(await kill(c.containerId, /sleep 300|pocketdock/)).toBeGreaterThan(0);
      const failure = await (async () => {
        while (!(await chunks.next()).done);
      })().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure, JSON.stringify(s.result)).toBeInstanceOf(ContainerGone);
      proxy.release();
      expect(await shutdown).toBeUndefined();
    } finally {
      proxy.release();
      await other.close();
      await pd.close();
      await proxy.cut();
    }
  });
});
