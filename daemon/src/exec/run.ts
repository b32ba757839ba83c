/**
 * One running command, however it was started: through the in-container agent (agent-run.ts) when
 * the container has one, else as an engine exec (exec.ts). ManagedExec and sessions see only this.
 */
import type { AgentClient } from '@pocketdock/agent';
import type { DemuxSink, Engine } from '../engine/index.js';
import type { Logger } from '../log.js';

export interface ExecOutcome {
  /** The command's, or KILLED_EXIT when SIGKILL had to end part of its tree. */
  exitCode: number;
  durationMs: number;
  /** True when the command and all it started ended after pocketdock stopped them for running past the timeout. */
  timedOut: boolean;
}

/** The exit code of a command whose tree SIGKILL had to end part of, whatever its main process died of. */
export const KILLED_EXIT = 128 + 9;

/** The exit code reported when none could be known (the command could not be stopped, or its container or agent went away). */
export const UNKNOWN_EXIT = -1;

/** How long a stopped command gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 1000;

/** Calls `expire` (after logging it) once the command has run for `timeoutMs`; the caller clears the timer if it ends first. */
export function armTimeout(timeoutMs: number | undefined, log: Logger, expire: () => void): NodeJS.Timeout | undefined {
  if (timeoutMs === undefined) return undefined;
  return setTimeout(() => {
    log.info({ timeoutMs }, 'exec timed out: stopping it');
    expire();
  }, timeoutMs);
}

export interface ExecStart {
  engine: Engine;
  containerId: string;
  /** The container's agent: commands go through it unless they need a terminal. */
  agent?: AgentClient | undefined;
  argv: string[];
  sink: DemuxSink;
  log: Logger;
  id?: string;
  timeoutMs?: number;
  /** Keep the command's stdin open for write(). */
  stdin?: boolean;
  /** A pseudo-terminal: raw output, all of it on stdout. */
  tty?: boolean;
  /** More environment, NAME=value. */
  env?: string[];
  /** Under the shim (shim.ts) when it runs as an engine exec, so that a stop reaches all the command starts. */
  supervise?: boolean;
  /** Output bytes allowed before the first allow() (default: no limit). */
  room?: number;
}

/** `s.log` naming command `id` and its container, unless the caller's log names them already. */
export function runLog(s: ExecStart, id: string): Logger {
  return s.log.bindings().execId === id ? s.log : s.log.child({ execId: id, containerId: s.containerId });
}

export interface CommandRun {
  readonly id: string;
  readonly finished: Promise<ExecOutcome>;
  /** Sends a signal to the command and everything it started. */
  signal(signal: number): Promise<void>;
  /** Sends a signal to the command's own process (a session's shell). */
  signalShell(signal: number): Promise<void>;
  /** Marks the start of a session command: see signalMarked. */
  note(marker: string): void;
  /** Sends a signal to the processes of one session command (those carrying its marker). */
  signalMarked(marker: string, signal: number): Promise<void>;
  /** SIGTERM to everything, SIGKILL after the grace; resolves once done or given up. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Backpressure: the command may produce `room` more bytes of output (Infinity: no limit) before
   * it must block on its pipe; changes smaller than `step` may wait.
   */
  allow(room: number, step: number): void;
  write(data: string | Buffer): void;
  /** Sets the terminal size of a `tty` exec. */
  resize(rows: number, cols: number): Promise<void>;
}
