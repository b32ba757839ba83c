/**
 * `npm run dashboard [-- --open]`: prints the dashboard's sign-in link for the local daemon (its TCP
 * port, the token from its state dir) and with --open hands it to the desktop's browser. Until the
 * CLI has `pocketdock dashboard`, this is that command.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connect } from '@pocketdock/client';

const { values } = parseArgs({ options: { open: { type: 'boolean' } } });

try {
  await using pd = await connect();
  const url = await pd.dashboardUrl();
  process.stdout.write(`${url}\n`);
  if (values.open) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => process.stderr.write(`dashboard: no ${opener} here: open the link above yourself\n`)).unref();
  }
} catch (err) {
  process.stderr.write(`dashboard: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
