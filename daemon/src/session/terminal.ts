/**
 * Terminals: a program on a pseudo-terminal, started as a registered exec (so output, exit, kill,
 * subscribe and poll are the exec's) with stdin attached and a size. Ctrl-C needs nothing special:
 * the terminal's line discipline in the container turns the byte 0x03 into SIGINT for the
 * foreground process group.
 */
import type { ContainerTarget } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import type { ManagedExec, Processes } from '../exec/index.js';
import { shellQuote } from './shell.js';

const SIGHUP = 1;

/**
 * What runs on the terminal, by bash when the image has it: a login shell, or `command`. bash -c
 * rather than sh -c because on Ctrl-C a waiting bash exits only if its child died of SIGINT (a REPL
 * that catches it keeps running), where dash would exit and leave the terminal without its program.
 * The size is set from inside first: the engine's resize can only come once the exec has started,
 * after the program may have read a 0x0 size.
 */
export function terminalCommand(command: string | undefined, rows: number, cols: number): string {
  const [bash, sh] = command === undefined ? ['bash -l', 'sh -l'] : [`bash -c ${shellQuote(command)}`, `sh -c ${shellQuote(command)}`];
  return `stty rows ${rows} cols ${cols} 2>/dev/null; if command -v bash >/dev/null 2>&1; then exec ${bash}; else exec ${sh}; fi`;
}

export interface TerminalRequest extends ContainerTarget {
  command?: string;
  rows: number;
  cols: number;
  env?: Record<string, string>;
  terminalId?: string;
  /** Whose cap it counts against (StartRequest.owner). */
  owner?: string;
}

export function openTerminal(processes: Processes, req: TerminalRequest, attach?: (exec: ManagedExec) => void): Promise<ManagedExec> {
  const env = Object.entries({ TERM: 'xterm-256color', ...req.env }).map(([k, v]) => `${k}=${v}`);
  return processes.start(
    {
      container: req.container,
      ...(req.socketPath !== undefined && { socketPath: req.socketPath }),
      command: terminalCommand(req.command, req.rows, req.cols),
      detach: true,
      kind: 'terminal',
      stdin: true,
      io: { tty: true, env },
      // What a person types is not a command line the history could hold; the wrapper would be noise.
      history: false,
      ...(req.terminalId !== undefined && { execId: req.terminalId }),
      ...(req.owner !== undefined && { owner: req.owner }),
    },
    attach,
  );
}

/** SIGHUP to the terminal's program when `closed` aborts (its window went away), unless it ended first. */
export function hangUpOn(exec: ManagedExec, closed: AbortSignal): void {
  const hangUp = () => void exec.kill(SIGHUP);
  if (closed.aborted) {
    hangUp();
    return;
  }
  closed.addEventListener('abort', hangUp, { once: true });
  void exec.done.then(() => closed.removeEventListener('abort', hangUp));
}

/** Writes typed bytes to a running terminal. */
export function terminalInput(exec: ManagedExec, data: Buffer): void {
  if (!exec.running) throw invalidParams('terminalId', `terminal ${exec.id} has ended`);
  exec.write(data);
}
