// TypeScript and Python clients on one daemon: a detached process started from TypeScript is
// attached, read and killed from Python; a session opened in Python is attached from TypeScript.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';

const FIXTURE = new URL('./fixtures/python_cross.py', import.meta.url).pathname;
const PYTHONPATH = new URL('../../packages/python/', import.meta.url).pathname;
const run = promisify(execFile);

describe('python and typescript share handles', () => {
  const s = useDaemon();
  let c: Container;

  const python = async (action: string, ref: string): Promise<Record<string, unknown>> => {
    const { stdout } = await run('python3', [FIXTURE, action, ref], {
      env: { ...process.env, POCKETDOCK_DAEMON: s.d.socketPath, PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    c = await s.pd.createNewContainer({ name: `pd-cross-${process.pid}` });
  });
  afterAll(async () => {
    await c?.shutdown({ force: true });
  });

  it('Python attaches to, reads and kills a process TypeScript started', async () => {
    const p = await c.run('echo from-typescript; sleep 120', { detach: true });
    await expect(python('attach-process', p.id)).resolves.toEqual({ running: true, buffered: 'from-typescript\n', exit_code: 143 });
    expect((await p.wait()).exitCode).toBe(143);
    expect((await p.peek()).stdout).toBe(''); // Python's read() consumed it
  });

  it('TypeScript attaches to a session Python opened', async () => {
    const { session_id } = await python('open-session', c.name);
    const session = await s.pd.attachSession(session_id as string);
    expect((await session.sendAndWait('pwd; echo $FROM_PYTHON')).stdout).toBe('/tmp\nyes\n');
    await session.close();
  });
});
