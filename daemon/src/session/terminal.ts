/**
 * Terminals: a program on a pseudo-terminal, started as a registered exec (so output, exit, kill,
 * subscribe and poll are the exec's) with stdin attached and a size. Ctrl-C needs nothing special:
 * the terminal's line discipline in the container turns the byte 0x03 into SIGINT for the
 * foreground process group.
 */
import { invalidParams } from '../errors.js';
import { STOP_GRACE_MS, type ManagedExec, type Processes } from '../sandbox/index.js';
import { settlesWithin } from './settle.js';
import { shellQuote } from './shell.js';

/**
 * What runs on the terminal, by bash when the image has it: a login shell, or `command`. bash -c
 * rather than sh -c because on Ctrl-C a waiting bash exits only if its child died of SIGINT (a REPL
 * that catches it keeps running), where dash would exit and leave the terminal without its program.
 */
const SIGHUP = 1;

export function terminalCommand(command: string | undefined): string {
  const [bash, sh] = command === undefined ? ['bash -l', 'sh -l'] : [`bash -c ${shellQuote(command)}`, `sh -c ${shellQuote(command)}`];
  return `if command -v bash >/dev/null 2>&1; then exec ${bash}; else exec ${sh}; fi`;
}

export interface TerminalRequest {
  container: string;
  command?: string;
  rows: number;
  cols: number;
  env?: Record<string, string>;
  terminalId?: string;
}

export async function openTerminal(processes: Processes, req: TerminalRequest, attach?: (exec: ManagedExec) => void): Promise<ManagedExec> {
  const env = Object.entries({ TERM: 'xterm-256color', ...req.env }).map(([k, v]) => `${k}=${v}`);
  const exec = await processes.start({
    container: req.container,
    command: terminalCommand(req.command),
    detach: true,
    stdin: true,
    io: { tty: true, env },
    ...(req.terminalId !== undefined && { execId: req.terminalId }),
  }, attach);
  try {
    await exec.resize(req.rows, req.cols);
  } catch (err) {
    // A program that has already ended (`true`) has no terminal left to size.
    if (!(await settlesWithin(exec.done, STOP_GRACE_MS))) throw err;
  }
  return exec;
}

/** SIGHUP to the terminal's program when `closed` aborts (its window went away), unless it ended first. */
export function hangUpOn(exec: ManagedExec, closed: AbortSignal): void {
  const hangUp = () => void exec.kill(SIGHUP);
  if (closed.aborted) { hangUp(); return; }
  closed.addEventListener('abort', hangUp, { once: true });
  void exec.done.then(() => closed.removeEventListener('abort', hangUp));
}

/** Writes typed bytes to a running terminal. */
export function terminalInput(exec: ManagedExec, data: Buffer): void {
  if (!exec.running) throw invalidParams('terminalId', `terminal ${exec.id} has ended`);
  exec.write(data);
}
