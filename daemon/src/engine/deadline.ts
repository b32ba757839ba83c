/**
 * An engine that accepts a call and never answers (hung, or a proxy in front of it that stopped
 * forwarding) must not hang the caller: past a deadline the call fails typed. The request itself is
 * left to the engine's connection; the caller is answered.
 */
import { DaemonError } from '../errors.js';

/** How long the engine gets to answer a call that should be quick (create, start, inspect, list, exec, …). */
export const DEFAULT_ANSWER_MS = 30_000;

/**
 * `work`, or a SocketCommunicationError once `ms` pass. A result that comes after that has no caller
 * left to use or close it: `discard` gets it (an exec's socket, an archive's stream), so that what it
 * holds open is released rather than left to the engine's connection.
 */
export async function answerWithin<T>(
  work: Promise<T>,
  ms: number,
  socketPath: string,
  op: string,
  discard?: (late: T) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(
        new DaemonError('SocketCommunicationError', `the engine at ${socketPath} did not answer (${op}) within ${ms / 1000} s`, {
          detail: `no answer to ${op} within ${ms} ms`,
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    if (timedOut && discard) work.then(discard, () => undefined);
  }
}

/** Closes a stream nobody will read: its end, and any error it still meets, go unheard. */
export function closeLate(stream: NodeJS.ReadableStream & { destroy(): void }): void {
  stream.on('error', () => undefined);
  stream.destroy();
}
