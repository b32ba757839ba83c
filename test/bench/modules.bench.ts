/**
 * What the daemon's resident memory (VmRSS) is made of: bare node, each package the daemon loads on
 * its own (its RSS over a node that has loaded nothing but node:fs, the median of three fresh
 * processes, after a full GC), the daemon's whole module graph, and a started daemon idle after one
 * client's call. Each process holds V8's young generation and compilers as pocketdockd's bin does, so the figures are
 * what the package costs the daemon. Figures in KiB. Target: idle ≤ 80 MB.
 */
import { execFileSync } from 'node:child_process';
import { startDaemon } from '../helpers/daemon.js';
import { print } from './stats.js';

const DAEMON = new URL('../../daemon/', import.meta.url);
const RUNS = 3;

/** The packages the daemon imports at start, and its own pieces that stand for one. */
const MODULES: Record<string, string> = {
  'dockerode as it comes': 'dockerode',
  'dockerode as the daemon loads it': './dist/engine/dockerode.js',
  fastify: 'fastify',
  '@fastify/websocket': '@fastify/websocket',
  '@pocketdock/protocol (its schemas as JSON)': '@pocketdock/protocol',
  ajv: 'ajv',
  pino: 'pino',
  yaml: 'yaml',
  'json-rpc-2.0': 'json-rpc-2.0',
  'tar-stream': 'tar-stream',
  'the whole daemon (dist/index.js)': './dist/index.js',
};

/** The daemon's own modules and the protocol package are ES modules; every other package it loads is CommonJS. */
const isEsm = (spec: string) => spec.startsWith('./') || spec.startsWith('@pocketdock/');

/** VmRSS of a fresh node (in the daemon's package, so its dependencies resolve) once it has imported `spec`, after a full GC. */
function rssAfterImport(spec: string | undefined): number {
  const script = `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    import { holdOptimizers } from './dist/optimizers.js';
    import { holdYoungGeneration } from './dist/young-generation.js';
    holdYoungGeneration();
    holdOptimizers();
    const require = createRequire(process.cwd() + '/');
    // As the daemon loads them (daemon/src/cjs.ts): a CommonJS package with require, an ES module with import.
    ${spec === undefined ? '' : `${isEsm(spec) ? 'await import' : 'require'}(${JSON.stringify(spec)});`}
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 100));
    globalThis.gc();
    console.log(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: DAEMON, encoding: 'utf8' });
  return Number(out.trim());
}

function median(f: () => number): number {
  const xs = Array.from({ length: RUNS }, f).sort((a, b) => a - b);
  return xs[Math.floor(RUNS / 2)]!;
}

function bareNodeRss(): number {
  return Number(
    execFileSync(
      process.execPath,
      ['-e', "console.log(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])"],
      { encoding: 'utf8' },
    ).trim(),
  );
}

export default async function main(): Promise<void> {
  const base = median(() => rssAfterImport(undefined));
  const costs: Record<string, number> = {};
  for (const [name, spec] of Object.entries(MODULES)) costs[name] = median(() => rssAfterImport(spec)) - base;
  const d = await startDaemon();
  const pd = await d.client();
  await pd.getVersion();
  const idle = d.rssKiB();
  await pd.close();
  await d.stop();
  // Not a table line (no "bench" key): each figure holds what the packages share, so they add up to more than the whole.
  print({ modules: 'what each package costs on its own (KiB over a node with nothing loaded)', ...costs });
  print({ bench: 'daemon RSS idle after start (KiB)', rssBareNode: median(bareNodeRss), idle, targetIdle: 60 * 1024 });
}
