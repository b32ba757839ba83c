/**
 * daemon start|stop|status|logs: the daemon behind every other command. `start` runs it in the
 * background (its log in the state dir) or, with --foreground, in this terminal.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { connect, daemonCommand, daemonLogPath, DaemonNotRunning, type PocketDock } from '@pocketdock/client';
import { daemonAt, type Cli } from '../context.js';
import { UsageError } from '../errors.js';
import { followFiles } from '../follow.js';
import { act, count, examples } from '../program.js';

/** "3d 4h", "2h 5m", "4m 2s", "12s". */
function duration(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return first === -1
    ? '0s'
    : parts
        .slice(first, first + 2)
        .map(([n, u]) => `${n}${u}`)
        .join(' ');
}

/** A connection to the daemon at the CLI's address, or undefined when none answers. */
async function running(cli: Cli): Promise<PocketDock | undefined> {
  try {
    // `daemon stop` waits for this connection's end: it must not seek a new one.
    return await connect({ ...(cli.opts.daemon !== undefined && { daemon: cli.opts.daemon }), autoStart: false, reconnect: false });
  } catch (err) {
    if (err instanceof DaemonNotRunning) return undefined;
    throw err;
  }
}

/** Runs the daemon in this terminal until it exits; forwards Ctrl-C and SIGTERM to it. */
function foreground(cli: Cli, args: string[]): Promise<number> {
  const [cmd, ...pre] = daemonCommand();
  const child = spawn(cmd!, [...pre, ...(cli.opts.daemon !== undefined ? ['--socket', cli.opts.daemon] : []), ...args], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}

/** Prints the last `lines` lines of `path`, then (with `follow`) what is appended, until Ctrl-C. */
async function tail(cli: Cli, path: string, lines: number, follow: boolean): Promise<void> {
  // Up to the size seen now: what is appended while this reads is the follower's, so no line is lost.
  const { size } = await stat(path);
  let text = '';
  if (size > 0)
    for await (const piece of createReadStream(path, { encoding: 'utf8', end: size - 1 }))
      text = (text + (piece as string))
        .split('\n')
        .slice(-(lines + 1))
        .join('\n');
  cli.out.stdout.write(text);
  if (follow)
    await followFiles(
      async () => [path],
      (_path, more) => cli.out.stdout.write(more),
      new Map([[path, size]]),
    );
}

export function registerDaemonCommands(program: Command): void {
  const daemon = examples(program.command('daemon').description('start, stop and inspect the pocketdock daemon'), [
    'pocketdock daemon start',
    'pocketdock daemon status',
    'pocketdock daemon logs -f',
    'pocketdock daemon stop',
  ]);

  examples(
    daemon
      .command('start')
      .description("start a daemon at --daemon's address (default the local socket) unless one answers there")
      .argument('[daemon-flags...]', 'flags for pocketdockd after --, e.g. -- --port 0')
      .option('--foreground', 'run it in this terminal, logging to stderr, until Ctrl-C')
      .action(
        act<{ foreground?: boolean }>(async (cli, [flags], { foreground: fg }) => {
          const args = flags as string[];
          const already = await running(cli);
          if (already) {
            const hello = await already.hello();
            await already.close();
            cli.out.note(`pocketdockd ${hello.version} already running (pid ${hello.pid}) at ${daemonAt(already)}`);
            return;
          }
          if (fg) return foreground(cli, args);
          if (cli.daemonAddress?.startsWith('ws'))
            throw new UsageError('a daemon can only be started on a local socket; use --foreground with --port for TCP');
          const pd = await connect({
            ...(cli.opts.daemon !== undefined && { daemon: cli.opts.daemon }),
            autoStart: true,
            daemonArgs: args,
          });
          const hello = await pd.hello();
          await pd.close();
          cli.out.result(hello, (h) => cli.out.line(`pocketdockd ${h.version} started (pid ${h.pid}), log in ${daemonLogPath()}`));
        }),
      ),
    ['pocketdock daemon start', 'pocketdock daemon start --foreground', 'pocketdock daemon start -- --port 7117'],
  );

  examples(
    daemon
      .command('stop')
      .description('stop the daemon (SIGTERM: it finishes what is in flight; persistent containers keep running)')
      .action(
        act(async (cli) => {
          const pd = await running(cli);
          if (!pd) {
            cli.out.note('no daemon is running there');
            return;
          }
          const { pid } = await pd.hello();
          const gone = new Promise((resolve) => pd.transport.signal.addEventListener('abort', resolve, { once: true }));
          // A listener holds the connection open (an idle one would not keep this process waiting for its end).
          const release = pd.transport.on('daemon.stopping', () => undefined);
          process.kill(pid, 'SIGTERM');
          await gone.finally(release);
          cli.out.note(`stopped pocketdockd (pid ${pid})`);
        }),
      ),
    ['pocketdock daemon stop'],
  );

  examples(
    daemon
      .command('status')
      .description('whether a daemon answers, and what it is: version, uptime, listeners, engines, containers, warm pool')
      .action(
        act(async (cli) => {
          const pd = await running(cli);
          if (!pd)
            throw Object.assign(new DaemonNotRunning(`no pocketdock daemon answers at ${cli.daemonAddress ?? 'the default socket'}`), {
              address: cli.daemonAddress ?? '',
            });
          // One object for scripts: daemon.status's fields, and pool.status's result under `pool`.
          const [status, pool] = await Promise.all([pd.status(), pd.poolStatus()]);
          await pd.close();
          cli.out.result({ ...status, pool }, (st) => {
            cli.out.fields([
              ['daemon', `pocketdockd ${st.version} (pid ${st.pid})`],
              ['uptime', duration(st.uptimeSeconds)],
              ['socket', st.socket],
              ['tcp', st.port === null ? 'off' : `http://127.0.0.1:${st.port}`],
              ...st.engines.map((e, i): [string, string] => [
                i === 0 ? 'engines' : '',
                `${e.socketPath}${e.default ? ' (default)' : ''}${e.answers ? '' : cli.out.color.red(' not answering')}`,
              ]),
              ['containers', `${st.containers.running} running, ${st.containers.stopped} stopped`],
              ['pool', st.pool.pools.length === 0 ? 'none configured' : `${st.pool.cold} cold creates (no pool could serve them)`],
            ]);
            if (st.pool.pools.length === 0) return;
            cli.out.line();
            cli.out.table(
              ['POOL', 'IMAGE', 'NETWORK', 'SIZE', 'READY', 'FILLING', 'HITS', 'MISSES', 'LAST ERROR'],
              st.pool.pools.map((p) => [
                p.key,
                p.image,
                p.network ? 'on' : 'off',
                String(p.size),
                String(p.ready),
                String(p.filling),
                String(p.hits),
                String(p.misses),
                p.lastError ?? '-',
              ]),
              '',
            );
          });
        }),
      ),
    ['pocketdock daemon status', 'pocketdock daemon status --json'],
  );

  examples(
    daemon
      .command('logs')
      .description('the log of a daemon started in the background (pino JSON lines)')
      .option('-n, --lines <n>', 'how many of the last lines', count, 50)
      .option('-f, --follow', 'keep printing what is appended, until Ctrl-C')
      .action(
        act<{ lines: number; follow?: boolean }>(async (cli, _args, { lines, follow }) => {
          const path = daemonLogPath();
          if (!existsSync(path)) throw new UsageError(`no daemon log at ${path} (a daemon started with --foreground logs to its terminal)`);
          await tail(cli, path, lines, follow ?? false);
        }),
      ),
    ['pocketdock daemon logs', 'pocketdock daemon logs -f'],
  );
}
