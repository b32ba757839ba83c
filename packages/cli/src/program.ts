/**
 * The command tree: global options, every command (registered by the files in commands/), and how
 * an action runs — with its own Cli context, its exit code, and the connection closed after it.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '@pocketdock/client';
import { Cli, type GlobalOptions } from './context.js';
import { registerContainerCommands } from './commands/containers.js';
import { registerDaemonCommands } from './commands/daemon.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerFileCommands } from './commands/files.js';
import { registerGuideCommands } from './commands/guide.js';
import { registerImageCommands } from './commands/images.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerProjectCommands } from './commands/project.js';
import { registerRunCommands } from './commands/run.js';
import { registerShellCommand } from './commands/shell.js';

/** Positional arguments as commander hands them: strings, string[] for a variadic one. */
export type Args = (string | string[] | undefined)[];
export type Action<O> = (cli: Cli, args: Args, opts: O) => Promise<number | void>;

/** Wraps a command's action: a Cli from the merged options; its number becomes the exit code. */
export function act<O = Record<string, never>>(fn: Action<O>): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const cmd = raw.at(-1) as Command;
    const cli = new Cli(cmd.optsWithGlobals<GlobalOptions>());
    try {
      const code = await fn(cli, raw.slice(0, -2) as Args, raw.at(-2) as O);
      if (code !== undefined) process.exitCode = code;
    } finally {
      await cli.close();
    }
  };
}

/** Adds examples to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number above 0.');
  return n;
}

export function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0.');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function createProgram(): Command {
  const program = new Command('pocketdock')
    .description('Sandbox containers for programs and people, through the pocketdock daemon.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--socket <path>', "container engine socket (default: $POCKETDOCK_SOCKET, the project's, then the daemon's)"))
    .addOption(
      new Option('--daemon <address>', 'daemon socket path or ws://127.0.0.1:PORT (default: $POCKETDOCK_DAEMON, then the local socket)'),
    )
    .option('--json', "print the API's objects as JSON")
    .option('--verbose', "print the JSON-RPC exchange on stderr, and a failure's stack")
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpCommand(false)
    .exitOverride()
    // commander's own messages ("error: unknown option '--x'", its suggestion on a line of its own) in the
    // CLI's one-line form; subcommands inherit it.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `pocketdock: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
  registerGuideCommands(program);
  registerProjectCommands(program);
  registerLogsCommand(program);
  registerContainerCommands(program);
  registerRunCommands(program);
  registerShellCommand(program);
  registerFileCommands(program);
  registerImageCommands(program);
  registerDaemonCommands(program);
  registerDashboardCommand(program);
  examples(program, [
    'pocketdock quickstart                 # the getting-started text',
    'pocketdock create --name box',
    'pocketdock run box "python3 --version"',
    'pocketdock shell box',
    'pocketdock list --json',
    'pocketdock shutdown box --yes',
  ]);
  return program;
}
