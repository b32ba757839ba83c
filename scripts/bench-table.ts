/**
 * `npm run bench:table [NAME…]`: runs the benchmarks (test/bench/, all of them or those named) and
 * rewrites the table between the README's bench-table marks with what they printed, each figure
 * next to the raw engine's from the same run, and the machine it was measured on. The lines are
 * also kept in test/bench/results.jsonl, so `npm run bench:table -- --from test/bench/results.jsonl`
 * renders them again without running anything. A run of some benchmarks replaces the lines of the
 * figures it measured and keeps the others'.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import Docker from 'dockerode';

const ROOT = new URL('../', import.meta.url);
const README = new URL('README.md', ROOT);
const RESULTS = new URL('test/bench/results.jsonl', ROOT);
const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

type Line = Record<string, unknown> & { bench: string };

/** Runs `npm run bench` with `names`, echoing its output, and returns the JSON lines it printed. */
function runBenches(names: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...names], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let rest = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      const text = rest + d.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop()!;
      lines.push(...parts.filter((l) => l.startsWith('{"bench"')));
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`npm run bench exited with ${code}`))));
  });
}

async function engineVersion(name: string, socketPath: string): Promise<string | undefined> {
  try {
    const v = await new Docker({ socketPath, timeout: 3000 }).version();
    return `${name} ${v.Version}`;
  } catch {
    return undefined;
  }
}

async function machine(): Promise<string> {
  const cpu = cpus();
  const engines = (
    await Promise.all([engineVersion('Docker', '/var/run/docker.sock'), engineVersion('Podman', '/run/podman/podman.sock')])
  ).filter(Boolean);
  return [
    `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `Node ${process.versions.node}`,
    ...engines,
  ].join(', ');
}

/** The fields of a memory line that are sizes in KiB, and those that are durations in seconds. */
const MEMORY = /^(rss|growth|idle|after|settled)/;
const SECONDS = /Seconds$/;

const num = (x: unknown) => (typeof x === 'number' ? String(x) : '');
/** A target as the table writes it (`≥ 0.9`), or nothing for a figure that has none. */
const bound = (sign: '≥' | '≤', target: unknown) => (target === undefined ? '' : `${sign} ${num(target)}`);

/** One row per figure: what it is, ours, the raw engine's, the ratio and its target. */
function row(l: Line): string {
  if ('mbps' in l) return `| ${l.bench} | ${num(l.mbps)} | ${num(l.rawMbps)} | ${num(l.ratio)} | ${bound('≥', l.target)} |`;
  if ('p50' in l) return `| ${l.bench}, p50 | ${num(l.p50)} | ${num(l.rawP50)} | ${num(l.ratio)} | ${bound('≤', l.target)} |`;
  if ('runsPerSecond' in l)
    return `| ${l.bench} (runs/s) | ${num(l.runsPerSecond)} | ${num(l.rawRunsPerSecond)} | ${num(l.ratio)} | ${bound('≥', l.target)} |`;
  const mb = (v: unknown) => `${Math.round(Number(v) / 1024)} MB`;
  const kib = Object.entries(l)
    .filter(([k, v]) => MEMORY.test(k) && typeof v === 'number')
    .map(([k, v]) => (SECONDS.test(k) ? `${k} ${num(v)} s` : `${k} ${mb(v)}`));
  const targets = Object.entries(l)
    .filter(([k]) => /^target[A-Z]/.test(k))
    .map(([k, v]) => `${k.slice('target'.length).toLowerCase()} ≤ ${mb(v)}`);
  const what = l.bench.replace(/\s*\(KiB\)$/, '');
  return `| ${what} | ${kib.join(', ')} | | | ${targets.join(', ')} |`;
}

export function render(lines: Line[], on: string, date: string): string {
  return [
    START,
    `Measured ${date} on ${on}, by \`npm run bench:table\` (MB/s for throughput, ms for latency; ratio = ours / raw, the`,
    'median of the runs; the machine was shared with other work, so figures move from run to run):',
    '',
    '| figure | pocketdock | raw engine | ratio | target |',
    '|---|---|---|---|---|',
    ...lines.map(row),
    END,
  ].join('\n');
}

/** `kept`'s lines with those of `fresh` in place of the ones measuring the same figure; new figures last. */
export function merge(kept: string[], fresh: string[]): string[] {
  const title = (l: string) => (JSON.parse(l) as Line).bench;
  const byTitle = new Map(fresh.map((l) => [title(l), l]));
  const merged = kept.map((l) => byTitle.get(title(l)) ?? l);
  return [...merged, ...fresh.filter((l) => !kept.some((k) => title(k) === title(l)))];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const from = args.indexOf('--from');
  let text: string;
  if (from >= 0) text = readFileSync(args[from + 1]!, 'utf8');
  else {
    // The machine first: what the figures were measured on, kept with them.
    const header = JSON.stringify({ machine: await machine(), date: new Date().toISOString().slice(0, 10) });
    const kept = args.length
      ? readFileSync(RESULTS, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{"bench"'))
      : [];
    text = `${[header, ...merge(kept, await runBenches(args))].join('\n')}\n`;
    writeFileSync(RESULTS, text);
  }
  const [first, ...lines] = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (at < 0 || end < at) throw new Error(`README.md has no ${START} … ${END} section`);
  const table = render(lines as Line[], first!.machine!, first!.date!);
  writeFileSync(README, readme.slice(0, at) + table + readme.slice(end + END.length));
  console.error(`README.md: ${lines.length} figures`);
}

await main();
