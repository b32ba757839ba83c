/**
 * An engine that accepts a call and never answers (hung, or a proxy in front of it that stopped
 * forwarding) must not hang the caller: past a deadline the call fails typed. The request itself is
 * left to the engine's connection; the caller is answered.
 */
import { DaemonError } from '../errors.js';

/** How long the engine gets to answer a call that should be quick (create, start, inspect, list, exec, …). */
export const DEFAULT_ANSWER_MS = 30_000;

export async function answerWithin<T>(work: Promise<T>, ms: number, socketPath: string, op: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DaemonError('SocketCommunicationError', `the engine at ${socketPath} did not answer (${op}) within ${ms / 1000} s`, {
            detail: `no answer to ${op} within ${ms} ms`,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
