// 50 client processes at once against one daemon, each creating a sandbox, running 10 commands and
// shutting it down: every result arrives and is right, and no container is left behind. Only this
// test's containers (named by its prefix) are counted: others share the engine.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../helpers/daemon.js';
import { docker } from '../helpers/engines.js';
import { RUNS, runWorkers } from '../helpers/load.js';

const PROCESSES = 50;
// What this checks is that nothing is lost or leaked, not the engine's speed: on a shared machine,
// fifty creates at once can keep the engine from answering one within the default 30 s.
const config = join(mkdtempSync(join(tmpdir(), 'pd-load-')), 'pocketdockd.yaml');
writeFileSync(config, 'engineTimeoutSeconds: 300\n');
const suite = useDaemon({ args: ['--config', config] });
const prefix = `load-${process.pid}-`;
const ours = async () => (await docker.listContainers({ all: true, filters: { name: [prefix] } })).length;

describe('load', () => {
  it(`${PROCESSES} client processes at once: no error, no lost result, no leaked container`, async () => {
    expect(await ours()).toBe(0);
    const reports = await runWorkers(PROCESSES, suite.d.socketPath, prefix);
    expect(reports).toHaveLength(PROCESSES);
    expect(new Set(reports.map((r) => r.name)).size).toBe(PROCESSES);
    for (const r of reports) expect(r.ok).toBe(RUNS);
    expect(await ours()).toBe(0);
    expect((await suite.pd.listContainers()).filter((c) => c.name.startsWith(prefix))).toEqual([]);
  }, 600_000);
});
