/** pino, one root logger per daemon; children per container/exec carry their ids. */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino({ name: 'pocketdockd', level, base: { pid: process.pid } }, destination ?? pino.destination(2));
}
