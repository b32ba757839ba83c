/**
 * run: a command in a container, its stdout and stderr on ours, our exit code its own; attach:
 * follow a detached process from another terminal. Ctrl-C during run stops the command in the
 * container; during attach it only detaches.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ExecResult, ExecStream } from '@pocketdock/client';
import type { Cli } from '../context.js';
import { act, count, examples, positiveNumber } from '../program.js';

interface RunFlags {
  stream?: boolean;
  detach?: boolean;
  timeout?: number;
  lang?: 'sh' | 'bash' | 'python' | 'node';
  maxOutput?: number;
}

/** Aborted on the first Ctrl-C (or SIGTERM); the handlers go when `done` runs. */
function interrupted(): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const stop = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    done: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** Prints a stream's chunks as they come (JSON lines with --json), or its output once it ended; returns its result. */
async function follow(cli: Cli, stream: ExecStream, live: boolean): Promise<ExecResult> {
  const { out } = cli;
  for await (const ch of stream) {
    if (!live) continue;
    if (ch.lost) out.note(out.errColor.yellow(`[${ch.lost} bytes of ${ch.stream} lost: evicted before they could be read]`));
    if (out.json) out.line(JSON.stringify({ stream: ch.stream, data: ch.data }));
    else (ch.stream === 'stdout' ? out.stdout : out.stderr).write(ch.data);
  }
  const r = stream.result!;
  if (!live && !out.json) {
    out.stdout.write(r.stdout);
    out.stderr.write(r.stderr);
  }
  return r;
}

function report(cli: Cli, r: ExecResult, timeout: number | undefined): number {
  if (cli.out.json) cli.out.line(JSON.stringify(r, null, 2));
  if (r.timedOut) cli.out.note(cli.out.errColor.yellow(`timed out${timeout ? ` after ${timeout} s` : ''}: stopped`));
  if (r.truncated) cli.out.note(cli.out.errColor.yellow('output truncated at --max-output bytes'));
  return r.exitCode;
}

export function registerRunCommands(program: Command): void {
  examples(
    program
      .command('run')
      .description('run a command in a container; exits with its exit code')
      .argument('<container>', 'name or id')
      .argument('<command...>', 'the command (quote it, or put -- before one with options of its own)')
      .option('--stream', 'print output as it is produced')
      .option('-d, --detach', 'start it in the background and print its process id (see attach)')
      .option('--timeout <seconds>', "stop it after this long (default: the container's, 30 s)", positiveNumber)
      .addOption(new Option('--lang <lang>', 'how to run the text').choices(['sh', 'bash', 'python', 'node']))
      .option('--max-output <bytes>', 'bytes kept per stream (default 10 MiB)', count)
      .allowUnknownOption()
      .action(
        act<RunFlags>(async (cli, [name, words], f) => {
          const command = (words as string[]).join(' ');
          const opts = {
            ...(f.timeout !== undefined && { timeout: f.timeout }),
            ...(f.lang !== undefined && { lang: f.lang }),
            ...(f.maxOutput !== undefined && { maxOutput: f.maxOutput }),
          };
          const c = await cli.container(name as string);
          if (f.detach) {
            const p = await c.run(command, { ...opts, detach: true });
            cli.out.result({ id: p.id }, () => cli.out.line(p.id));
            return;
          }
          const stop = interrupted();
          try {
            const live = f.stream ?? false;
            // What is printed at the end (the output, or the result as JSON) is all of it, as with a blocking run.
            const keepOutput = !live || cli.out.json;
            const r = await follow(cli, await c.run(command, { ...opts, stream: true, keepOutput, signal: stop.signal }), live);
            return report(cli, r, f.timeout);
          } catch (err) {
            if (stop.signal.aborted) return 130;
            throw err;
          } finally {
            stop.done();
          }
        }),
      ),
    [
      'pocketdock run box "ls -la /home/sandbox"',
      'pocketdock run box -- ls -la',
      'pocketdock run box --lang python "print(6 * 7)"',
      'pocketdock run box --stream "for i in 1 2 3; do echo $i; sleep 1; done"',
      'pocketdock run box --detach "python3 -m http.server 8000"   # prints the process id',
    ],
  );

  examples(
    program
      .command('attach')
      .description("follow a detached process's output until it ends; exits with its exit code (Ctrl-C detaches)")
      .argument('<process-id>', 'as printed by run --detach')
      .action(
        act(async (cli, [id]) => {
          const p = (await cli.client()).attachProcess(id as string);
          const stop = interrupted();
          stop.signal.addEventListener('abort', () => {
            cli.out.note(`detached from ${id as string}: it keeps running`);
            process.exit(130);
          });
          try {
            return report(cli, await follow(cli, await p.stream(), true), undefined);
          } finally {
            stop.done();
          }
        }),
      ),
    ['pocketdock attach 3f1c…', 'pocketdock attach 3f1c… --json'],
  );
}
