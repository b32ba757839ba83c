/**
 * `node daemon/dist/images/setup-cli.js [profile... | all]` (default minimal-python): builds the images
 * before any daemon runs, for setup scripts and CI. Engine socket: $POCKETDOCK_SOCKET.
 */
import { Engine } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { createLogger } from '../log.js';
import { ensureImage } from './ensure.js';
import { listProfiles } from './profiles.js';

const socketPath = process.env.POCKETDOCK_SOCKET || '/var/run/docker.sock';
const asked = process.argv.slice(2);
const profiles = asked.includes('all') ? listProfiles().map((p) => p.name) : asked.length > 0 ? asked : ['minimal-python'];
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
  for (const name of profiles) {
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
