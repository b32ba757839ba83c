/**
 * 50 client processes at once, each creating a sandbox, running 10 commands and removing it,
 * through one daemon — against the same 50 processes doing the same work with dockerode straight on
 * the engine, in the same run (Docker). Figures: wall time and commands per second. Target: ≥ 0.9×
 * dockerode's throughput.
 */
import { startDaemon } from '../helpers/daemon.js';
import { DOCKER_SOCKET } from '../helpers/engines.js';
import { RUNS, runWorkers, type WorkerReport } from '../helpers/load.js';
import { print } from './stats.js';

const PROCESSES = 50;

/** Seconds the workers took together, and how many of their commands went wrong. */
async function timed(work: () => Promise<WorkerReport[]>): Promise<[seconds: number, failed: number]> {
  const t = performance.now();
  const reports = await work();
  return [(performance.now() - t) / 1000, PROCESSES * RUNS - reports.reduce((n, r) => n + r.ok, 0)];
}

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const tag = `bench-load-${process.pid}`;
  const [raw, rawFailed] = await timed(() => runWorkers(PROCESSES, DOCKER_SOCKET, `${tag}-raw-`, 'dockerode'));
  const [ours, failed] = await timed(() => runWorkers(PROCESSES, d.socketPath, `${tag}-pd-`));
  const rate = (s: number) => Math.round(((PROCESSES * RUNS) / s) * 10) / 10;
  print({
    bench: `docker: ${PROCESSES} processes × (create, ${RUNS} runs, remove)`,
    seconds: Math.round(ours * 10) / 10,
    rawSeconds: Math.round(raw * 10) / 10,
    runsPerSecond: rate(ours),
    rawRunsPerSecond: rate(raw),
    failed,
    rawFailed,
    ratio: Math.round((raw / ours) * 100) / 100,
    target: 0.9,
  });
  await d.stop();
}
