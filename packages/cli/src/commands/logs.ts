/**
 * logs: what the project's containers left in their instance dirs — the output of sessions and
 * detached processes, or (--history) one line per command — read from this machine's project.
 */
import type { Command } from 'commander';
import {
  findProjectRoot,
  instanceFiles,
  parseHistoryLine,
  ProjectNotInitialized,
  readHistory,
  readInstanceLogs,
  type HistoryEntry,
} from '@pocketdock/client';
import type { Cli } from '../context.js';
import { followFiles } from '../follow.js';
import { act, count, examples } from '../program.js';

interface LogsFlags {
  history?: boolean;
  follow?: boolean;
  limit: number;
}

const row = (e: HistoryEntry): string[] => [
  e.timestamp,
  e.container,
  e.timedOut ? 'timeout' : String(e.exitCode),
  `${(e.durationMs / 1000).toFixed(1)} s`,
  e.kind,
  e.command,
];

function projectRoot(): string {
  const root = findProjectRoot();
  if (root === undefined) throw new ProjectNotInitialized(`no pocketdock project at or above ${process.cwd()}`, { path: process.cwd() });
  return root;
}

async function history(cli: Cli, root: string, container: string | undefined, f: LogsFlags): Promise<void> {
  const filter = container !== undefined ? { container } : {};
  const entries = await readHistory(root, { ...filter, limit: f.limit });
  // Followed, --json is one entry per line, so a reader can take each as it comes.
  if (f.follow && cli.out.json) for (const e of entries) cli.out.line(JSON.stringify(e));
  else
    cli.out.result(entries, (v) =>
      cli.out.table(['TIME', 'CONTAINER', 'EXIT', 'DURATION', 'KIND', 'COMMAND'], v.map(row), 'no commands yet'),
    );
  if (!f.follow) return;
  const owner = new Map<string, string>();
  const partial = new Map<string, string>();
  await followFiles(
    async () =>
      (await instanceFiles(root, filter)).map((i) => {
        owner.set(i.history, i.container);
        return i.history;
      }),
    (path, text) => {
      const lines = ((partial.get(path) ?? '') + text).split('\n');
      partial.set(path, lines.pop()!);
      for (const e of lines.map((l) => parseHistoryLine(owner.get(path)!, l)).filter((x) => x !== undefined)) {
        cli.out.line(cli.out.json ? JSON.stringify(e) : row(e).join('  '));
      }
    },
  );
}

async function output(cli: Cli, root: string, container: string | undefined, f: LogsFlags): Promise<void> {
  const filter = container !== undefined ? { container } : {};
  const logs = await readInstanceLogs(root, { ...filter, lines: f.limit });
  const header = (name: string) => cli.out.color.bold(`==> ${name} <==`);
  if (f.follow && cli.out.json) for (const l of logs) cli.out.line(JSON.stringify(l));
  else {
    cli.out.result(logs, (v) => {
      if (v.length === 0) cli.out.line(cli.out.color.dim('no output logs yet (sessions and detached processes write them)'));
      for (const l of v)
        cli.out.stdout.write(`${header(`${l.container}/${l.source}`)}\n${l.text}${l.text.endsWith('\n') || !l.text ? '' : '\n'}`);
    });
  }
  if (!f.follow) return;
  const names = new Map<string, { container: string; source: string }>();
  let last: string | undefined;
  await followFiles(
    async () =>
      (await instanceFiles(root, filter)).flatMap((i) =>
        i.logs.map((path) => {
          names.set(path, { container: i.container, source: path.slice(path.lastIndexOf('/') + 1, -'.log'.length) });
          return path;
        }),
      ),
    (path, text) => {
      const { container: c, source } = names.get(path)!;
      if (cli.out.json) cli.out.line(JSON.stringify({ container: c, source, path, text }));
      else {
        // As tail -f does with several files: a header whenever the output switches file.
        if (last !== path) cli.out.line(header(`${c}/${source}`));
        last = path;
        cli.out.stdout.write(text);
      }
    },
  );
}

export function registerLogsCommand(program: Command): void {
  examples(
    program
      .command('logs')
      .description("the output logs (sessions, detached processes) or, with --history, the commands of this project's containers")
      .argument('[container]', "only this container's (default: every container of the project)")
      .option('--history', 'the commands run (time, exit code, duration) instead of their output')
      .option('-f, --follow', 'keep printing what is added, until Ctrl-C')
      .option('-n, --limit <n>', 'the last N commands, or the last N lines of each log', count, 50)
      .action(
        act<LogsFlags>(async (cli, [container], flags) => {
          const root = projectRoot();
          await (flags.history ? history : output)(cli, root, container as string | undefined, flags);
        }),
      ),
    ['pocketdock logs --history', 'pocketdock logs box --limit 20', 'pocketdock logs --history --follow --json'],
  );
}
