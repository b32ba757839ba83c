/**
 * Files through client + daemon against the engine's archive API called directly with dockerode,
 * interleaved in the same run (which of the two goes first alternates; medians of five rounds), on
 * every engine that answers (MB/s):
 * - writeFile / readFile of a 200 MB buffer against putArchive / getArchive of the same bytes
 *   (targets ≥ 0.8x and ≥ 0.9x raw),
 * - push / pull of a 200 MB file on disk against the same streamed from / to disk by hand
 *   (targets ≥ 0.8x and ≥ 0.9x raw),
 * with the daemon's RSS before and at its peak (VmHWM), and idle, right after all of it and settled (stats.ts).
 */
import { randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { startDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';
import { Interleaved, print, printSettled } from './stats.js';

export const MB = 1024 * 1024;
export const SIZE = 200 * MB;
/** Rounds of each figure, whose median is printed: ours and raw alternate going first. */
const ROUNDS = 5;

type Source = { size: number; body: Buffer } | { size: number; path: string };

/** A one-member tar as a raw client would make it. */
export function tarOf(name: string, src: Source): NodeJS.ReadableStream {
  const pack = tar.pack();
  const sink = pack.entry({ name, size: src.size, uid: 1000, gid: 1000 }, () => pack.finalize());
  if ('body' in src) sink.end(src.body);
  else createReadStream(src.path).pipe(sink as unknown as NodeJS.WritableStream);
  return pack as unknown as NodeJS.ReadableStream;
}

/** That tar put into `dir` of the container. */
export async function rawPut(docker: Docker, id: string, dir: string, name: string, src: Source): Promise<void> {
  await docker.getContainer(id).putArchive(tarOf(name, src), { path: dir });
}

/** The first member of a tar, into memory or onto disk: its length. */
export async function firstOf(archive: NodeJS.ReadableStream, to?: string): Promise<number> {
  const extract = tar.extract();
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  let bytes = 0;
  for await (const entry of extract) {
    if (to) {
      await pipeline(entry as unknown as NodeJS.ReadableStream, createWriteStream(to));
      bytes += entry.header.size;
    } else {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      bytes += Buffer.concat(parts).length;
    }
  }
  return bytes;
}

/** The first member of the container's tar of `path`. */
export async function rawGet(docker: Docker, id: string, path: string, to?: string): Promise<number> {
  return firstOf((await docker.getContainer(id).getArchive({ path })) as NodeJS.ReadableStream, to);
}

const mbps = (ms: number) => Math.round((SIZE / MB / (ms / 1000)) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const ratio = (x: number) => Math.round(x * 100) / 100;

/** The medians of `times`, in MB/s, ours next to raw; `rounds`: each round's ratio, for the spread. */
export function line(bench: string, times: Interleaved, target?: number): void {
  const o = mbps(median(times.ours));
  const r = mbps(median(times.raw));
  const rounds = times.ours.map((ours, i) => ratio(times.raw[i]! / ours));
  print({ bench, n: times.ours.length, mbps: o, rawMbps: r, ratio: ratio(o / r), target, rounds });
}

const hwmKiB = (pid: number) => readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmHWM:\s+(\d+)/.exec(s)?.[1]));

export default async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pd-bench-files-'));
  const body = randomFillSync(Buffer.allocUnsafe(SIZE));
  const local = join(dir, 'big.bin');
  await writeFile(local, body);
  const d = await startDaemon();
  const idle = d.rssKiB();
  const pd = await d.client();
  try {
    for (const e of await availableEngines()) {
      const c = await pd.createNewContainer({ socketPath: e.socketPath });
      const rssBefore = d.rssKiB();
      try {
        const write = new Interleaved();
        const read = new Interleaved();
        const push = new Interleaved();
        const pull = new Interleaved();
        for (let i = 0; i < ROUNDS; i++) {
          await write.round(
            () => c.writeFile('/home/sandbox/ours.bin', body),
            () => rawPut(e.docker, c.containerId, '/home/sandbox', 'raw.bin', { size: SIZE, body }),
          );
          await read.round(
            async () => {
              if ((await c.readFile('/home/sandbox/ours.bin')).length !== SIZE) throw new Error('short read');
            },
            async () => {
              if ((await rawGet(e.docker, c.containerId, '/home/sandbox/raw.bin')) !== SIZE) throw new Error('short raw read');
            },
          );
          await push.round(
            () => c.push(local, '/home/sandbox/pushed.bin'),
            () => rawPut(e.docker, c.containerId, '/home/sandbox', 'rawpushed.bin', { size: SIZE, path: local }),
          );
          await pull.round(
            () => c.pull('/home/sandbox/pushed.bin', join(dir, 'pulled.bin')),
            () => rawGet(e.docker, c.containerId, '/home/sandbox/rawpushed.bin', join(dir, 'rawpulled.bin')),
          );
        }
        line(`${e.name}: writeFile 200 MB (MB/s)`, write, 0.8);
        line(`${e.name}: readFile 200 MB (MB/s)`, read, 0.9);
        line(`${e.name}: push 200 MB file (MB/s)`, push, 0.8);
        line(`${e.name}: pull 200 MB file (MB/s)`, pull, 0.9);
        print({ bench: `${e.name}: daemon RSS over the file runs (KiB)`, rssBefore, rssPeak: await hwmKiB(d.pid), rssAfter: d.rssKiB() });
      } finally {
        await c.shutdown({ force: true });
      }
    }
    await printSettled('the file runs on each engine', idle, () => d.rssKiB());
  } finally {
    await pd.close();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
