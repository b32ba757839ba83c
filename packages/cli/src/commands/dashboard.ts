/** dashboard: the browser dashboard's sign-in link for the daemon (and --open hands it to the browser). */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { act, examples } from '../program.js';

export function registerDashboardCommand(program: Command): void {
  examples(
    program
      .command('dashboard')
      .description("print the dashboard's sign-in link (the daemon's TCP port and token); needs the daemon on this machine")
      .option('--open', "also open it in the desktop's browser")
      .action(
        act<{ open?: boolean }>(async (cli, _args, { open }) => {
          const url = await (await cli.client()).dashboardUrl();
          cli.out.result({ url }, () => cli.out.line(url));
          if (!open) return;
          const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
          spawn(opener, [url], { stdio: 'ignore', detached: true })
            .on('error', () => cli.out.note(`pocketdock: no ${opener} here: open the link above yourself`))
            .unref();
        }),
      ),
    ['pocketdock dashboard', 'pocketdock dashboard --open'],
  );
}
