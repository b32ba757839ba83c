// The agent's door (daemon/src/exec/doors.ts), on every engine that answers: the agent talks to the
// daemon over a Unix socket in a host directory mounted into its sandbox, not over its exec's
// stream; where that directory is gone it talks over the exec's stream; the directory goes with
// the sandbox.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();

/**
 * What the agent's stdin and stdout are: "socket:[…]" through its door, "pipe:[…]" through its exec.
 * A command's parent is its shim (agent README), the shim's the agent.
 */
const AGENT_FDS = 'agent=$(cut -d" " -f4 /proc/$PPID/stat); readlink /proc/$agent/fd/0 /proc/$agent/fd/1';

describe("the agent's door", () => {
  const suite = useDaemon();

  describe.each(engines)('on $name', (e) => {
    let c: Container;
    let dir: string;
    const agentFds = async () => (await c.run(AGENT_FDS)).stdout.trim().split('\n');
    // What a command in the sandbox could do (the bracket keeps pkill from matching itself).
    const killAgent = () => c.run("pkill -9 -f '[.]pocketdock-agent'");

    beforeAll(async () => {
      c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
      const inspect = await e.docker.getContainer(c.containerId).inspect();
      const mount = inspect.Mounts.find((m) => m.Destination === '/run/pocketdock')!;
      expect(mount).toMatchObject({ Type: 'bind', RW: false });
      dir = mount.Source;
    });

    afterAll(async () => {
      await c?.shutdown({ force: true }).catch(() => undefined);
    });

    it('is how the agent talks: its stdin and stdout are the door, its exec carries nothing', async () => {
      expect(await c.run('echo out; echo err >&2; exit 3')).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
      expect(await agentFds()).toEqual([expect.stringMatching(/^socket:/), expect.stringMatching(/^socket:/)]);
      expect(await c.info()).toMatchObject({ execVia: 'agent', execNote: '' });
    });

    it('is done without when its directory is gone from the host, or is another directory than the one mounted', async () => {
      rmSync(dir, { recursive: true });
      await killAgent();
      expect(await c.run('echo back')).toMatchObject({ exitCode: 0, stdout: 'back\n' });
      expect(await agentFds()).toEqual([expect.stringMatching(/^pipe:/), expect.stringMatching(/^pipe:/)]);

      // A directory made again at the same path is not the one the sandbox has: the agent cannot connect, and says so.
      mkdirSync(dir);
      await killAgent();
      expect(await c.run('echo again')).toMatchObject({ exitCode: 0, stdout: 'again\n' });
      expect(await agentFds()).toEqual([expect.stringMatching(/^pipe:/), expect.stringMatching(/^pipe:/)]);
      expect(suite.d.log()).toMatch(/no door at \/run\/pocketdock\/\w+\.sock/);
      expect(await c.info()).toMatchObject({ execVia: 'agent', execNote: '' });
    });

    it('goes with its sandbox', async () => {
      const c2 = await suite.pd.createNewContainer({ socketPath: e.socketPath });
      const inspect = await e.docker.getContainer(c2.containerId).inspect();
      const dir2 = inspect.Mounts.find((m) => m.Destination === '/run/pocketdock')!.Source;
      expect(await c2.run('echo hi')).toMatchObject({ stdout: 'hi\n' });
      expect(existsSync(dir2)).toBe(true);
      await c2.shutdown({ force: true });
      expect(existsSync(dir2)).toBe(false);
    });
  });
});
