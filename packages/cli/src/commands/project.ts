/** The project around the working directory, and the whole picture: init, doctor, status. */
import type { Command } from 'commander';
import { findProjectRoot, initProject } from '@pocketdock/client';
import { daemonAt } from '../context.js';
import { act, examples } from '../program.js';
import { printList } from './containers.js';

export function registerProjectCommands(program: Command): void {
  examples(
    program
      .command('init')
      .description(
        'make a directory a pocketdock project (.pocketdock/pocketdock.yaml); containers created in it get instance dirs with history and logs',
      )
      .argument('[path]', 'project root (default: the working directory)')
      .option('--name <name>', "project name (default: the directory's name)")
      .action(
        act<{ name?: string }>(async (cli, [path], { name }) => {
          const root = await initProject(path as string | undefined, { ...(name !== undefined && { projectName: name }) });
          cli.out.result({ root }, () => cli.out.line(`project at ${root}`));
        }),
      ),
    ['pocketdock init', 'pocketdock init ./myapp --name myapp'],
  );

  examples(
    program
      .command('doctor')
      .description("cross-check the project's instance dirs with its containers")
      .action(
        act(async (cli) => {
          const report = await (await cli.client()).doctor(cli.engine);
          cli.out.result(report, (r) => {
            cli.out.line(`${cli.out.color.green(String(r.healthy))} healthy`);
            for (const name of r.orphanedContainers)
              cli.out.line(`${cli.out.color.yellow('orphaned container')} ${name} (no instance dir)`);
            for (const dir of r.staleInstanceDirs) cli.out.line(`${cli.out.color.yellow('stale instance dir')} ${dir} (no container)`);
          });
          return report.orphanedContainers.length + report.staleInstanceDirs.length > 0 ? 1 : 0;
        }),
      ),
    ['pocketdock doctor', 'pocketdock doctor --json'],
  );

  examples(
    program
      .command('status')
      .description('the daemon, its engine, the project here and its containers')
      .action(
        act(async (cli) => {
          const pd = await cli.client();
          const root = findProjectRoot() ?? null;
          const [daemon, containers] = await Promise.all([pd.hello(), pd.listContainers(cli.engine)]);
          cli.out.result({ daemon, address: daemonAt(pd), project: root, containers }, (s) => {
            const running = s.containers.filter((c) => c.status === 'running').length;
            cli.out.fields([
              ['daemon', `pocketdockd ${s.daemon.version} (pid ${s.daemon.pid}) at ${s.address}`],
              ['engine', cli.opts.socket ?? s.daemon.engineSocket],
              ['project', s.project ?? '-'],
              ['containers', `${running} running, ${s.containers.length - running} stopped`],
            ]);
            if (s.containers.length > 0) {
              cli.out.line();
              printList(cli.out, s.containers);
            }
          });
        }),
      ),
    ['pocketdock status', 'pocketdock status --json'],
  );
}
