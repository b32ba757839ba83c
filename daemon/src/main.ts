/** pocketdockd: parse flags, start the daemon, stop cleanly on SIGTERM/SIGINT. */
import { setTimeout as delay } from 'node:timers/promises';
import { VERSION } from '@pocketdock/protocol';
import { ConfigError, USAGE, parseDaemonArgs } from './config.js';
import { STOP_GRACE_MS, startDaemon } from './daemon.js';
import { DaemonError } from './errors.js';
import { createLogger } from './log.js';
import { ServiceNotifier } from './notify.js';
import { ActivationError, SocketPathRefused, takePassedSockets } from './server/index.js';
import { releaseOptimizers } from './optimizers.js';
import { collectWhenQuiet } from './quiet-collection.js';
import { growYoungGeneration, roomierOldGeneration } from './young-generation.js';

/** The longest a stop may take (its grace for calls in flight included) before the daemon exits anyway. */
const STOP_LIMIT_MS = STOP_GRACE_MS + 30_000;
/**
 * A second SIGINT this soon after the first is the same Ctrl-C: a terminal sends it to every process of
 * its foreground group, the daemon and a wrapper that forwards it too (npm start, `pocketdock daemon
 * start --foreground`), and the echo must not turn a graceful stop into an abrupt one.
 */
const ECHO_MS = 1_000;
/** How long a stopped daemon's process may linger before it exits anyway. */
const LINGER_MS = 2_000;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pocketdockd: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel);
  const notifier = new ServiceNotifier(log);
  // Listening from before the start to the end: a signal that found no listener (while starting, or
  // between two) would take the default action and leave the socket behind. A signal during the start
  // stops the daemon once it is up; a second one does not wait for calls in flight or sessions.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    let first: { signal: NodeJS.Signals; at: number } | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!first) {
        first = { signal, at: performance.now() };
        resolve(signal);
        return;
      }
      if (signal === 'SIGINT' && first.signal === 'SIGINT' && performance.now() - first.at < ECHO_MS) return;
      log.warn({ signal }, 'second signal: stopping now');
      process.stderr.write(`pocketdockd: ${signal} again: stopping now\n`);
      process.exit(1);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  let daemon;
  try {
    daemon = await startDaemon(config, log, takePassedSockets());
  } catch (err) {
    // What the user can act on (no engine, socket or port taken, no permission) is one line; the rest
    // is a bug, and its stack goes to the log.
    const expected =
      err instanceof DaemonError ||
      err instanceof SocketPathRefused ||
      err instanceof ActivationError ||
      typeof (err as NodeJS.ErrnoException).code === 'string';
    const message = (err as Error).message + ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (another --port?)' : '');
    if (expected) log.fatal({ reason: message }, 'cannot start');
    else log.fatal({ err }, 'cannot start');
    process.stderr.write(`pocketdockd: cannot start: ${message}\n`);
    return 1;
  }
  growYoungGeneration();
  roomierOldGeneration();
  releaseOptimizers();
  const quiet = collectWhenQuiet(log);
  daemon.onFreed((bytes) => quiet.freed(bytes));
  const listening = `listening on ${daemon.socketPath}` + (daemon.port ? ` and http://127.0.0.1:${daemon.port}` : '');
  process.stderr.write(
    `pocketdockd ${VERSION} ${listening}` +
      (daemon.port ? ` (token in ${config.stateDir}/token)` : '') +
      ` — engine ${daemon.engineSocket}\n`,
  );
  await notifier.notify('READY=1', `STATUS=${listening}, engine ${daemon.engineSocket}`);
  const signal = await stopSignal;
  process.stderr.write(`pocketdockd: ${signal}: finishing calls in flight (send it again to stop now)\n`);
  void notifier.notify('STOPPING=1', 'STATUS=finishing calls in flight');
  const stopped = await Promise.race([daemon.close(signal).then(() => true), delay(STOP_LIMIT_MS, false, { ref: false })]);
  if (!stopped) {
    log.error({ limitMs: STOP_LIMIT_MS }, 'the stop did not finish in time: exiting now');
    process.stderr.write(`pocketdockd: the stop did not finish in ${STOP_LIMIT_MS / 1000} s (the log names the step): exiting now\n`);
    process.exit(1);
  }
  // Everything the daemon opened is closed; anything still holding the process is a leak, and a
  // leak must not keep a stopped daemon running (a service manager would wait, then kill it).
  setTimeout(() => {
    log.warn({ resources: process.getActiveResourcesInfo() }, 'stopped, but something still holds the process: exiting');
    process.exit();
  }, LINGER_MS).unref();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pocketdockd: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
