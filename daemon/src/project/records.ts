/**
 * What a project container leaves in its instance dir as it works: one history.jsonl line per
 * command (run, session command, detached process) and logs/ of session and process output.
 * Callers: Processes.run, and the streaming/detached exec and session code. Both functions are
 * no-ops for containers without a project, and never throw: a full disk must not fail a command.
 */
import { join } from 'node:path';
import { HISTORY_FILE, LOGS_DIR, parseSize, type ContainerHandle, type HistoryLine } from '@pocketdock/protocol';
import type { Logger } from '../log.js';
import { readProjectConfig } from './config.js';
import { rootOfInstance } from './instance.js';
import { appendRotating, type LogLimits } from './rotate.js';

export interface CommandRecord {
  command: string;
  exitCode: number;
  durationMs: number;
  /** What ran it: a blocking run, a session command, a detached or streaming process. */
  kind: 'run' | 'session' | 'process';
  timedOut?: boolean;
}

type Instance = Pick<ContainerHandle, 'dataPath' | 'name'>;

/** The instance's limits, or undefined when nothing is to be written (no project, or auto_log off). */
async function limitsFor(handle: Instance): Promise<LogLimits | undefined> {
  const root = handle.dataPath ? rootOfInstance(handle.dataPath) : undefined;
  if (!root) return undefined;
  const config = await readProjectConfig(root);
  if (!config.autoLog) return undefined;
  return { maxBytes: parseSize(config.maxLogSize), maxFiles: config.maxLogsPerInstance, retentionDays: config.retentionDays };
}

async function write(handle: Instance, file: string, data: Buffer, log: Logger | undefined): Promise<void> {
  try {
    const limits = await limitsFor(handle);
    if (limits) await appendRotating(join(handle.dataPath, file), join(handle.dataPath, LOGS_DIR), data, limits);
  } catch (err) {
    log?.warn({ err, dataPath: handle.dataPath, file }, 'could not write to the instance dir');
  }
}

/** Appends one line to the instance's history.jsonl. */
export function recordCommand(handle: Instance, entry: CommandRecord, log?: Logger): Promise<void> {
  const line: HistoryLine = {
    timestamp: new Date().toISOString(),
    kind: entry.kind,
    command: entry.command,
    exit_code: entry.exitCode,
    duration_ms: entry.durationMs,
    ...(entry.timedOut && { timed_out: true }),
  };
  return write(handle, HISTORY_FILE, Buffer.from(`${JSON.stringify(line)}\n`), log);
}

const SOURCE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The log source of a session or process: its kind and id, as a plain file stem. */
export const logSource = (kind: 'session' | 'process', id: string): string => `${kind}-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/**
 * A writer of one detached process's output to logs/process-<id>.log, in the order it arrived;
 * stderr lines are marked, so one file tells both streams apart. `flushed` resolves once all that
 * `tee` got is written (it never rejects).
 */
export function processLog(
  handle: Instance,
  id: string,
  log?: Logger,
): { tee: (stream: 'stdout' | 'stderr', data: Buffer) => void; flushed: () => Promise<void> } {
  let queue = Promise.resolve();
  return {
    tee: (stream, data) => {
      const text = stream === 'stderr' ? Buffer.from(data.toString('utf8').replace(/^(?=.)/gm, '[stderr] ')) : data;
      queue = queue.then(() => appendLog(handle, logSource('process', id), text, log));
    },
    flushed: () => queue,
  };
}

/**
 * Appends output to logs/<source>.log, e.g. source "session-<id>" or "process-<execId>";
 * one file per session or process, rotated by size.
 */
export function appendLog(handle: Instance, source: string, data: string | Buffer, log?: Logger): Promise<void> {
  if (!SOURCE.test(source)) {
    log?.warn({ source }, 'log source must be a plain file stem');
    return Promise.resolve();
  }
  return write(handle, join(LOGS_DIR, `${source}.log`), typeof data === 'string' ? Buffer.from(data) : data, log);
}
