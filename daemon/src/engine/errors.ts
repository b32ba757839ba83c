/** Turns what dockerode throws into the protocol's typed errors (the mapping is the protocol's engineError). */
import { engineError, type FailureContext } from '@pocketdock/protocol';
import { DaemonError } from '../errors.js';

export { engineMessage, type FailureContext } from '@pocketdock/protocol';

export function mapEngineError(err: unknown, ctx: FailureContext): Error {
  return err instanceof DaemonError ? err : DaemonError.of(engineError(err, ctx));
}
