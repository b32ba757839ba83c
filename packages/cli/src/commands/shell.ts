/**
 * shell: an interactive terminal in a container through the daemon's PTY support. Our terminal
 * goes raw so every key (Ctrl-C included) reaches the remote program; a resize here resizes the
 * remote terminal; the remote exit status is ours. The local terminal is put back however it ends,
 * the daemon going away included.
 */
import type { Command } from 'commander';
import type { Terminal } from '@pocketdock/client';
import { act, examples } from '../program.js';

/** Connects our stdin/stdout to `t` until it ends or the connection is lost; returns its exit code. */
async function drive(t: Terminal, closed: AbortSignal): Promise<number> {
  const { stdin, stdout } = process;
  const raw = stdin.isTTY;
  const resize = () => {
    t.resize(stdout.rows, stdout.columns).catch(() => undefined);
  };
  const type = (data: Buffer) => {
    t.write(data).catch(() => undefined);
  };
  // Without a terminal (input piped in), end of input is a Ctrl-D typed.
  const ended = () => {
    t.write('\x04').catch(() => undefined);
  };
  const restore = () => {
    if (raw) stdin.setRawMode(false);
    stdin.off('data', type).off('end', ended).pause();
    process.off('SIGWINCH', resize).off('exit', restore);
  };
  const unlisten = t.onData((data) => stdout.write(data));
  if (raw) stdin.setRawMode(true);
  stdin.on('data', type).on('end', ended).resume();
  process.on('SIGWINCH', resize).on('exit', restore);
  try {
    const lost = new Promise<never>((_, reject) => {
      if (closed.aborted) reject(closed.reason as Error);
      closed.addEventListener('abort', () => reject(closed.reason as Error), { once: true });
    });
    return (await Promise.race([t.exited, lost])).exitCode;
  } finally {
    unlisten();
    restore();
  }
}

export function registerShellCommand(program: Command): void {
  examples(
    program
      .command('shell')
      .description('an interactive shell (or --command) in a container, on a real terminal')
      .argument('<container>', 'name or id')
      .option('-c, --command <command>', 'run this instead of a login shell (e.g. python3, top)')
      .action(
        act<{ command?: string }>(async (cli, [name], { command }) => {
          const pd = await cli.client();
          const size = process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : {};
          const t = await pd.openTerminal(name as string, { ...cli.engine, ...size, ...(command !== undefined && { command }) });
          return drive(t, pd.transport.signal);
        }),
      ),
    ['pocketdock shell box', 'pocketdock shell box --command python3'],
  );
}
