/**
 * pino, one root logger per daemon; children per container/exec carry their ids. Under journald each
 * line starts with its syslog priority (sd-daemon(3)), so `journalctl -p warning` and its colours work.
 */
import { fstatSync } from 'node:fs';
import type { Logger, LevelWithSilent, DestinationStream } from 'pino';
import { pino } from './cjs.js';

export type { Logger };

/** A token in a URL's query, a cookie or an Authorization header, wherever a log line quotes one. */
const SECRET = /(token=|Bearer\s+)[^&;\s"\\]+/gi;

/** Every line goes through `redact` last, whatever logged it (fastify, ws, a handler, an error's message). */
export function redact(line: string): string {
  return line.replace(SECRET, '$1[redacted]');
}

/** pino's levels (trace 10 … fatal 60) as syslog priorities (debug 7 … crit 2). */
const PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

/** Whether stderr is the journal: systemd sets JOURNAL_STREAM to its device and inode. */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const [dev, ino] = (env.JOURNAL_STREAM ?? '').split(':');
  if (!dev || !ino) return false;
  try {
    const st = fstatSync(2, { bigint: true });
    return String(st.dev) === dev && String(st.ino) === ino;
  } catch {
    return false;
  }
}

/** `<6>{"level":30,…}`: pino writes the level first, so the prefix needs no parse of the line. */
export function withPriority(line: string): string {
  const level = /^\{"level":(\d+)/.exec(line)?.[1];
  const priority = level === undefined ? undefined : PRIORITY[Number(level)];
  return priority === undefined ? line : `<${priority}>${line}`;
}

export function createLogger(
  level: LevelWithSilent,
  destination?: DestinationStream,
  journal = destination === undefined && stderrIsJournal(),
): Logger {
  const streamWrite = journal ? (line: string) => withPriority(redact(line)) : redact;
  return pino({ name: 'pocketdockd', level, base: { pid: process.pid }, hooks: { streamWrite } }, destination ?? pino.destination(2));
}
