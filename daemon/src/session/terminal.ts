/**
 * Terminals: a program on a pseudo-terminal, started as a registered exec (so output, exit, kill,
 * subscribe and poll are the exec's) with stdin attached and a size. Ctrl-C needs nothing special:
 * the terminal's line discipline in the container turns the byte 0x03 into SIGINT for the
 * foreground process group.
 */
import { invalidParams } from '../errors.js';
import type { ManagedExec, Processes } from '../sandbox/index.js';

/** A login shell, bash when the image has it; `exec` so that the shell is the terminal's process. */
export const TERMINAL_COMMAND = 'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi';

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
    command: req.command ?? TERMINAL_COMMAND,
    detach: true,
    stdin: true,
    io: { tty: true, env },
    ...(req.terminalId !== undefined && { execId: req.terminalId }),
  }, attach);
  await exec.resize(req.rows, req.cols);
  return exec;
}

/** Writes typed bytes to a running terminal. */
export function terminalInput(exec: ManagedExec, data: Buffer): void {
  if (!exec.running) throw invalidParams('terminalId', `terminal ${exec.id} has ended`);
  exec.write(data);
}
