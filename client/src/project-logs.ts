/**
 * What a project's containers left in their instance dirs (`.pocketdock/instances/<name>/`), read
 * on the caller's file system: each command's history line and the output logs of sessions and
 * detached processes. The daemon writes them (and rotates them into logs/ by size); this reads them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HISTORY_FILE, INSTANCES_DIR, LOGS_DIR, PROJECT_DIR, type HistoryLine } from '@pocketdock/protocol';
import { ContainerNotFound } from './errors.js';

/** One command a project container ran. */
export interface HistoryEntry {
  container: string;
  /** When it ended (ISO 8601). */
  timestamp: string;
  /** A blocking run, a session command, a detached or streaming process. */
  kind: HistoryLine['kind'];
  command: string;
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
}

/** One output log of a project container: a session's or a detached process's. */
export interface InstanceLog {
  container: string;
  /** The file's stem: `session-<id>` or `process-<execId>`, with a rotation stamp when moved aside. */
  source: string;
  path: string;
  size: number;
  modifiedAt: string;
  /** Its last lines (all of them unless `lines` was given). */
  text: string;
}

/** The live files of one instance dir, for a reader that follows them. */
export interface InstanceFiles {
  container: string;
  /** history.jsonl (absent until the first command). */
  history: string;
  /** logs/*.log, the rotated ones too. */
  logs: string[];
}

export interface InstanceFilter {
  /** One container's (by name); default every instance of the project. */
  container?: string;
}

const ROTATED_HISTORY = /^history\.\d+\.jsonl$/;

/** A history.jsonl line as a HistoryEntry; undefined for a line that is not one (e.g. cut by a full disk). */
export function parseHistoryLine(container: string, line: string): HistoryEntry | undefined {
  try {
    const h = JSON.parse(line) as Partial<HistoryLine>;
    if (typeof h.command !== 'string' || typeof h.exit_code !== 'number' || typeof h.timestamp !== 'string') return undefined;
    return {
      container,
      timestamp: h.timestamp,
      kind: h.kind ?? 'run',
      command: h.command,
      exitCode: h.exit_code,
      durationMs: h.duration_ms ?? 0,
      timedOut: h.timed_out === true,
    };
  } catch {
    return undefined;
  }
}

/** The project's instance dirs (or the one of `container`: ContainerNotFound when it has none). */
export async function instanceFiles(root: string, o: InstanceFilter = {}): Promise<InstanceFiles[]> {
  const instances = join(root, PROJECT_DIR, INSTANCES_DIR);
  const names = (await readdir(instances, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
  if (o.container !== undefined && !names.includes(o.container)) {
    throw new ContainerNotFound(`container ${o.container} has no instance dir in the project at ${root}`, { container: o.container });
  }
  return Promise.all(
    names
      .filter((n) => o.container === undefined || n === o.container)
      .sort()
      .map(async (container) => {
        const dir = join(instances, container);
        const logs = (await readdir(join(dir, LOGS_DIR)).catch(() => [] as string[])).filter((f) => f.endsWith('.log')).sort();
        return { container, history: join(dir, HISTORY_FILE), logs: logs.map((f) => join(dir, LOGS_DIR, f)) };
      }),
  );
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** The commands the project's containers ran, oldest first; `limit` keeps the last ones. */
export async function readHistory(root: string, o: InstanceFilter & { limit?: number } = {}): Promise<HistoryEntry[]> {
  const entries = (
    await Promise.all(
      (await instanceFiles(root, o)).map(async ({ container, history }) => {
        const logsDir = join(history, '..', LOGS_DIR);
        // Rotated parts first: their stamps sort them by age, and all are older than the live file.
        const rotated = (await readdir(logsDir).catch(() => [] as string[]))
          .filter((f) => ROTATED_HISTORY.test(f))
          .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
          .map((f) => join(logsDir, f));
        const texts = await Promise.all([...rotated, history].map((f) => readFile(f, 'utf8').catch(() => '')));
        return texts
          .flatMap(lines)
          .map((l) => parseHistoryLine(container, l))
          .filter((e) => e !== undefined);
      }),
    )
  ).flat();
  // A stable sort: one container's entries keep their order when two end in the same millisecond.
  entries.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return o.limit === undefined ? entries : entries.slice(Math.max(0, entries.length - o.limit));
}

/** The output logs of the project's containers, oldest change first; `lines` keeps the last lines of each. */
export async function readInstanceLogs(root: string, o: InstanceFilter & { lines?: number } = {}): Promise<InstanceLog[]> {
  const logs = await Promise.all(
    (await instanceFiles(root, o)).flatMap(({ container, logs: paths }) =>
      paths.map(async (path): Promise<InstanceLog | undefined> => {
        // The daemon may rotate or drop a file between the listing and the read: it is then skipped.
        const read = await Promise.all([stat(path), readFile(path, 'utf8')]).catch(() => undefined);
        if (!read) return undefined;
        const [st, text] = read;
        const all = text.split('\n');
        const kept = o.lines === undefined ? text : all.slice(Math.max(0, all.length - 1 - o.lines)).join('\n');
        return {
          container,
          source: path.slice(path.lastIndexOf('/') + 1, -'.log'.length),
          path,
          size: st.size,
          modifiedAt: st.mtime.toISOString(),
          text: kept,
        };
      }),
    ),
  );
  return logs.filter((l) => l !== undefined).sort((a, b) => a.modifiedAt.localeCompare(b.modifiedAt));
}
