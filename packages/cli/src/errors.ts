/**
 * Failures as the CLI reports them: one line saying what failed and what to do next, and an exit
 * code a script can tell apart. `run` and `attach` exit with the command's own code instead.
 */
import {
  ContainerNotFound,
  ContainerNotRunning,
  DaemonClosedError,
  DaemonNotRunning,
  FileNotFound,
  ImageNotFound,
  InvalidParams,
  OptionRefused,
  PocketDockError,
  PodmanNotRunning,
  ProcessLost,
  ProjectNotInitialized,
  SessionClosed,
  Unauthorized,
} from '@pocketdock/client';

export const ExitCode = {
  /** Anything else that failed. */
  Failure: 1,
  /** The command line was wrong: unknown command or option, missing or bad argument (the daemon's InvalidParams too). */
  Usage: 2,
  /** No daemon answers at the address, or it went away. */
  DaemonUnreachable: 3,
  /** The container, process, file, image or project named does not exist. */
  NotFound: 4,
} as const;

/** A mistake in the command line found after parsing (a bad value): exits with ExitCode.Usage. */
export class UsageError extends Error {}

const NOT_FOUND = [ContainerNotFound, FileNotFound, ImageNotFound, ProcessLost, ProjectNotInitialized, SessionClosed];

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof InvalidParams) return ExitCode.Usage;
  if (err instanceof DaemonNotRunning || err instanceof DaemonClosedError) return ExitCode.DaemonUnreachable;
  if (NOT_FOUND.some((cls) => err instanceof cls)) return ExitCode.NotFound;
  return ExitCode.Failure;
}

/** What to do next, for the errors a person can act on. */
function hint(err: unknown): string | undefined {
  if (err instanceof DaemonNotRunning) return 'start one with `pocketdock daemon start`, or name another with --daemon';
  if (err instanceof DaemonClosedError) return 'the daemon went away: see `pocketdock daemon logs`';
  if (err instanceof ContainerNotFound) return 'see `pocketdock list` for the containers there are';
  if (err instanceof ContainerNotRunning) return 'start it again with `pocketdock resume NAME`';
  if (err instanceof ImageNotFound) return 'build it with `pocketdock build PROFILE`, or load it with `pocketdock import FILE`';
  if (err instanceof ProjectNotInitialized) return 'create one with `pocketdock init`';
  if (err instanceof PodmanNotRunning) return err.hint || undefined;
  // A refused option says itself why; any other refusal is a TCP daemon's, over its token.
  if (err instanceof Unauthorized && !(err instanceof OptionRefused)) return 'a TCP daemon needs its token in POCKETDOCK_TOKEN';
  return undefined;
}

/** The one line printed for `err` (its first line: a daemon's start failure may carry its log's tail). */
export function errorLine(err: unknown): string {
  // The client's message carries its own advice for programs; the CLI gives the command to type.
  const message =
    err instanceof DaemonNotRunning ? `no pocketdock daemon answers at ${err.address}` : err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0]!.replace(/^invalid params: /, 'invalid value: ');
  const next = hint(err);
  const known = err instanceof PocketDockError || err instanceof UsageError || (err as NodeJS.ErrnoException)?.code !== undefined;
  return `${known ? first : `unexpected error: ${first}`}${next ? ` (${next})` : ''}`;
}
