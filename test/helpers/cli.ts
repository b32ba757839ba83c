/**
 * The pocketdock command as a user runs it: the built binary in a child process, against a test
 * daemon (`--daemon`), with its exit code and both output streams.
 */
import { execFile } from 'node:child_process';

export const CLI_BIN = new URL('../../packages/cli/dist/bin.js', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the command's stdin, then closed. */
  input?: string;
}

/** Runs `pocketdock ARGS` to its end; never rejects on a non-zero exit. */
export function cli(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_BIN, ...args],
      {
        env: { ...process.env, NO_COLOR: '', ...o.env },
        cwd: o.cwd,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin!.end(o.input ?? '');
  });
}

/** A CLI bound to one daemon: `run(...args)` passes `--daemon SOCKET` first. */
export function cliFor(socketPath: string): (args: readonly string[], o?: CliOptions) => Promise<CliResult> {
  return (args, o) => cli(['--daemon', socketPath, ...args], o);
}
