/** pino, one root logger per daemon; children per container/exec carry their ids. */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/** A token in a URL's query, a cookie or an Authorization header, wherever a log line quotes one. */
const SECRET = /(token=|Bearer\s+)[^&;\s"\\]+/gi;

/** Every line goes through `redact` last, whatever logged it (fastify, ws, a handler, an error's message). */
export function redact(line: string): string {
  return line.replace(SECRET, '$1[redacted]');
}

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino({ name: 'pocketdockd', level, base: { pid: process.pid }, hooks: { streamWrite: redact } }, destination ?? pino.destination(2));
}
