// A command whose container is stopped or removed under it — by another client — fails with the
// container's typed error in both exec modes, instead of an exit code the command never chose
// (-1 from the agent's cut stream, 126 or 137 from the engine).
import { describe, expect, it } from 'vitest';
import { ContainerGone, ContainerNotRunning, ProcessLost } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';

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
