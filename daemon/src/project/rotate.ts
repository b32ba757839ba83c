/**
 * Appending to an instance's files within the project's limits: a file that would grow past
 * max_log_size is moved aside into logs/ and started afresh; logs/ keeps at most
 * max_logs_per_instance files, none older than retention_days.
 */
import { appendFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

export interface LogLimits {
  maxBytes: number;
  maxFiles: number;
  retentionDays: number;
}

/** Appends to one file at a time per path, so concurrent writers neither interleave nor race a rotation. */
const queues = new Map<string, Promise<void>>();

export function appendRotating(file: string, logsDir: string, data: Buffer, limits: LogLimits): Promise<void> {
  const prev = queues.get(file) ?? Promise.resolve();
  const next = prev.then(() => append(file, logsDir, data, limits));
  const settled = next.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return next;
}

/** Archive names carry a millisecond stamp; two rotations in one millisecond must not share one. */
let lastStamp = 0;
const stamp = (): number => (lastStamp = Math.max(Date.now(), lastStamp + 1));

async function append(file: string, logsDir: string, data: Buffer, limits: LogLimits): Promise<void> {
  // A single write larger than a whole file keeps its newest bytes.
  if (data.length > limits.maxBytes) data = data.subarray(data.length - limits.maxBytes);
  const size = await stat(file).then(
    (s) => s.size,
    () => -1,
  );
  if (size >= 0 && size + data.length > limits.maxBytes) {
    const ext = extname(file);
    await rename(file, join(logsDir, `${basename(file, ext)}.${stamp()}${ext}`));
  }
  await appendFile(file, data);
  if (size < 0 || size + data.length > limits.maxBytes) await enforceLimits(logsDir, limits);
}

/** Drops the files of `dir` past the retention age, then the oldest beyond the count. */
export async function enforceLimits(dir: string, limits: LogLimits): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = (
    await Promise.all(
      names.map(async (name) => {
        const path = join(dir, name);
        const st = await stat(path).catch(() => undefined);
        return st?.isFile() ? { path, mtimeMs: st.mtimeMs } : undefined;
      }),
    )
  )
    .filter((f) => f !== undefined)
    .sort((a, b) => b.mtimeMs - a.mtimeMs || b.path.localeCompare(a.path));
  const cutoff = Date.now() - limits.retentionDays * 86_400_000;
  const drop = files.filter((f, i) => i >= limits.maxFiles || (limits.retentionDays > 0 && f.mtimeMs < cutoff));
  await Promise.all(drop.map((f) => rm(f.path, { force: true })));
}
