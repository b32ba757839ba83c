// An engine that accepts calls and never answers (a Unix-socket proxy in front of the shared engine
// stops forwarding): calls that need it fail with SocketCommunicationError naming it once the
// daemon's engineTimeoutSeconds are up, instead of hanging; the rest answers; work resumes after.
// Only the hang is timed by the short engine timeout: the sandbox is made by another daemon (the
// suite's, with the default timeout), so a slow engine on a busy machine fails nothing before the
// hang, and work resuming is shown by the first run that goes through after it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SocketCommunicationError } from '../../client/src/index.js';
import { startDaemon, useDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EngineProxy, runsAgain } from '../helpers/engine-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-hang-'));
const proxy = new EngineProxy(join(dir, 'engine.sock'));
const config = join(dir, 'pocketdockd.yaml');
writeFileSync(config, 'engineTimeoutSeconds: 10\n');
const suite = useDaemon();
let d: TestDaemon | undefined;
afterAll(async () => {
  proxy.resume();
  await d?.stop();
});

describe('a hanging engine', () => {
  it('fails calls with SocketCommunicationError naming the engine, keeps serving, resumes when it answers again', async () => {
    const made = await suite.pd.createNewContainer({ persist: true });
    await proxy.up();
    d = await startDaemon({ args: ['--engine-socket', proxy.path, '--config', config] });
    const pd = await d.client();
    const c = await pd.container(made.name);
    try {
      proxy.hang();
      const calls = await Promise.allSettled([c.info(), c.run('echo during'), pd.createNewContainer(), pd.listContainers()]);
      for (const call of calls) {
        expect(call.status).toBe('rejected');
        const failed = (call as PromiseRejectedResult).reason as Error;
        expect(failed).toBeInstanceOf(SocketCommunicationError);
        expect(failed.message).toContain(proxy.path);
      }
      expect(await pd.getVersion()).toMatch(/^\d+\.\d+\.\d+/);

      proxy.resume();
      // The same daemon, no restart: its next calls reach the engine (one may still time out on a busy machine).
      await runsAgain(c, 'after', 120_000);
    } finally {
      proxy.resume();
      await pd.close();
      await suite.pd.destroyContainer(made.name).catch(() => undefined);
    }
  });
});
