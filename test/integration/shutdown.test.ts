// shutdown() and `await using` together: the README's pattern must not throw when the block ends.
import { describe, expect, it } from 'vitest';
import { ContainerNotFound, ContainerNotRunning } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();
const { containers: names } = removeAfterAll(engines);

describe.each(engines)('shutdown on $name', (e) => {
  const create = async (persist = false) => {
    const c = await suite.pd.createNewContainer({ socketPath: e.socketPath, persist });
    names.push(c.name);
    return c;
  };

  it('does nothing the second time, so `await using` after shutdown() ends cleanly', async () => {
    let name = '';
    {
      await using c = await create();
      name = c.name;
      await c.shutdown();
      await c.shutdown();
    }
    await expect(suite.pd.resumeContainer(name, { socketPath: e.socketPath })).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('leaves a persistent container stopped, however often it is shut down', async () => {
    const c = await create(true);
    await c.shutdown();
    await c[Symbol.asyncDispose]();
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerNotRunning);
    await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
  });

  it('does not throw at the end of the block for a container someone else removed', async () => {
    await expect(
      (async () => {
        await using c = await create();
        await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
      })(),
    ).resolves.toBeUndefined();
  });

  it('shuts down again after a reboot', async () => {
    const c = await create(true);
    await c.shutdown();
    await c.reboot();
    expect((await c.run('echo up')).stdout).toBe('up\n');
    await c.shutdown();
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerNotRunning);
    await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
  });
});
