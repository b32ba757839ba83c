/**
 * `node daemon/dist/images/setup-cli.js [profile...]` (default minimal-python): builds the images
 * before any daemon runs, for setup scripts and CI. Engine socket: $POCKETDOCK_SOCKET.
 */
import { Engine } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { createLogger } from '../log.js';
import { ensureImage } from './ensure.js';

const socketPath = process.env.POCKETDOCK_SOCKET || '/var/run/docker.sock';
const profiles = process.argv.slice(2);
const engine = new Engine(socketPath, createLogger('silent'));
const say = (message: string) => process.stderr.write(`image: ${message}\n`);

// Build output (apt and the like) is long: it is only shown when the build fails.
const recent: string[] = [];

function reason(err: unknown): string {
  if (err instanceof DaemonError && err.type === 'SocketConnectionError') {
    return `cannot reach the engine at ${socketPath}; start it with scripts/engine-up.sh or set POCKETDOCK_SOCKET`;
  }
  return (err as Error).message.replace(/\s*\n\s*/g, ' ');
}

try {
  for (const name of profiles.length > 0 ? profiles : ['minimal-python']) {
    const result = await ensureImage(engine, name, {
      onProgress: ({ line, step }) => {
        if (step === undefined || /^step \d+\/\d+/i.test(line)) say(line);
        else if (recent.push(line) > 20) recent.shift();
      },
    });
    const size = `${Math.round(result.size / 1e6)} MB`;
    say(result.built ? `${result.tag} built in ${result.seconds} s (${size})` : `${result.tag} is up to date (${size})`);
  }
} catch (err) {
  for (const line of recent) process.stderr.write(`  ${line}\n`);
  say(`failed: ${reason(err)}`);
  process.exit(1);
}
