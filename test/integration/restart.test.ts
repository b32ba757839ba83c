// A daemon killed with SIGKILL and started again on the same socket and state dir: persistent
// containers are listed and usable, leased ones get a fresh grace period (kept when their holder
// comes back, removed when it does not), and a detached process is found again, killed and waited on.
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessLost, connect, type PocketDock } from '../../client/src/index.js';
import { useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { removeAfterAll } from '../helpers/engines.js';

const configDir = mkdtempSync(join(tmpdir(), 'pd-restart-'));
const config = join(configDir, 'pocketdockd.yaml');
writeFileSync(config, 'leaseGraceSeconds: 3\n');

const { containers: made } = removeAfterAll();
const startDaemon = useDaemons();

const token = () => randomBytes(18).toString('base64url');
const client = (d: TestDaemon, resumeToken: string): Promise<PocketDock> =>
  connect({ daemon: d.socketPath, autoStart: false, resumeToken, clientName: `holder-${resumeToken.slice(0, 4)}` });

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

    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;

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
    expect(await p.wait({ timeout: 30 })).toMatchObject({ exitCode: -1 });
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
