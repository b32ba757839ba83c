/** Many client processes at once (test/integration/fixtures/load-worker.ts): started together, their reports collected. */
import { spawn } from 'node:child_process';

/** Commands each worker runs. */
export const RUNS = 10;

const WORKER = new URL('../integration/fixtures/load-worker.ts', import.meta.url).pathname;

export interface WorkerReport {
  name: string;
  /** Commands whose output and exit code were right. */
  ok: number;
  ms: number;
}

/** Runs one worker process to its end; rejects with its stderr when it fails. */
export function runWorker(socket: string, name: string, mode: 'pocketdock' | 'dockerode' = 'pocketdock'): Promise<WorkerReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, socket, name, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as WorkerReport);
      else reject(new Error(`worker ${name} exited with ${code}: ${err}`));
    });
  });
}

/** `n` workers at once, named `<prefix><i>`; resolves with every report once all have ended. */
export const runWorkers = (n: number, socket: string, prefix: string, mode?: 'pocketdock' | 'dockerode'): Promise<WorkerReport[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => runWorker(socket, `${prefix}${i}`, mode)));
