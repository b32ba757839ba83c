/** Containers: create, list, info, reboot, stop, resume, shutdown, snapshot, prune. */
import type { Command } from 'commander';
import type { ContainerInfo, ContainerListItem, CreateContainerOptions } from '@pocketdock/client';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { act, collect, examples, positiveNumber } from '../program.js';
import { confirm } from '../prompt.js';

interface CreateFlags {
  image?: string;
  name?: string;
  profile?: string;
  memLimit?: string;
  cpuPercent?: number;
  timeout?: number;
  persist?: boolean;
  project?: string;
  device?: string[];
  publish?: string[];
  volume?: string[];
}

/** "HOST:CONTAINER" pairs of -p and -v. */
function pairs(values: string[], flag: string, shape: RegExp): [string, string][] {
  return values.map((v) => {
    const m = shape.exec(v);
    if (!m) throw new UsageError(`${flag} ${v}: expected HOST:CONTAINER`);
    return [m[1]!, m[2]!];
  });
}

export function createOptions(f: CreateFlags): CreateContainerOptions {
  return {
    ...(f.image !== undefined && { image: f.image }),
    ...(f.name !== undefined && { name: f.name }),
    ...(f.profile !== undefined && { profile: f.profile }),
    ...(f.memLimit !== undefined && { memLimit: f.memLimit }),
    ...(f.cpuPercent !== undefined && { cpuPercent: f.cpuPercent }),
    ...(f.timeout !== undefined && { timeout: f.timeout }),
    ...(f.persist && { persist: true }),
    ...(f.project !== undefined && { project: f.project }),
    ...(f.device?.length && { devices: f.device }),
    ...(f.publish?.length && { ports: Object.fromEntries(pairs(f.publish, '-p', /^(\d+):(\d+)$/).map(([h, c]) => [h, Number(c)])) }),
    ...(f.volume?.length && { volumes: Object.fromEntries(pairs(f.volume, '-v', /^([^:]+):(\/[^:]*)$/)) }),
  };
}

export function printList(out: Output, items: ContainerListItem[]): void {
  out.table(
    ['NAME', 'STATUS', 'IMAGE', 'PROJECT', 'PERSIST', 'CREATED'],
    items.map((c) => [c.name, out.status(c.status), c.image, c.project || '-', c.persist ? 'yes' : 'no', c.createdAt]),
    'no containers',
  );
}

function printInfo(out: Output, i: ContainerInfo): void {
  const ports = Object.entries(i.ports)
    .map(([h, c]) => `${h}→${c}`)
    .join(', ');
  out.fields([
    ['name', i.name],
    ['id', i.id.slice(0, 12)],
    ['status', out.status(i.status)],
    ['image', i.image],
    ['created', i.createdAt],
    ['started', i.startedAt],
    ['uptime', i.uptime || '-'],
    ['memory', `${i.memoryUsage}${i.memoryLimit ? ` of ${i.memoryLimit}` : ''} (${i.memoryPercent.toFixed(1)}%)`],
    ['cpu', `${i.cpuPercent.toFixed(1)}%`],
    ['pids', String(i.pids)],
    ['network', i.network ? `on${i.ipAddress ? ` (${i.ipAddress})` : ''}` : 'off'],
    ['ports', ports || '-'],
  ]);
  const columns = Object.keys(i.processes[0] ?? {});
  if (columns.length === 0) return;
  out.line();
  out.table(
    columns,
    i.processes.map((p) => columns.map((c) => p[c] ?? '')),
    '',
  );
}

export function registerContainerCommands(program: Command): void {
  examples(
    program
      .command('create')
      .description('create and start a sandbox container; prints its name')
      .option('--image <tag>', "image (default pocketdock/minimal-python, or the profile's)")
      .option('--name <name>', 'container name (default pd-<8 hex>)')
      .option('--profile <profile>', 'image profile: minimal-python, minimal-node, dev, …')
      .option('--mem-limit <size>', 'memory limit, e.g. 256m, 1g')
      .option('--cpu-percent <n>', 'CPU cap, 0-100', positiveNumber)
      .option('--timeout <seconds>', 'default timeout of run', positiveNumber)
      .option('--persist', 'survive shutdown: stopped, not removed, resumable')
      .option('--project <name>', 'project name label')
      .option('--device <path>', 'host device to pass in (repeatable)', collect)
      .option('-p, --publish <host:container>', 'publish a port (repeatable)', collect)
      .option('-v, --volume <host:container>', 'mount a host path (repeatable)', collect)
      .action(
        act<CreateFlags>(async (cli, _args, flags) => {
          // The command exits at once: the sandbox must not be leased to it, or the daemon would reap it.
          const c = await (await cli.client()).createNewContainer({ ...createOptions(flags), ...cli.engine, lease: false });
          cli.out.result(c.toJSON(), () => cli.out.line(c.name));
        }),
      ),
    [
      'pocketdock create',
      'pocketdock create --name web --profile dev -p 8080:8000 --persist',
      'pocketdock create --mem-limit 256m --cpu-percent 50',
    ],
  );

  examples(
    program
      .command('list')
      .description('list managed containers, running and stopped')
      .option('--project <name>', "only this project's")
      .action(
        act<{ project?: string }>(async (cli, _args, { project }) => {
          const items = await (await cli.client()).listContainers({ ...cli.engine, ...(project !== undefined && { project }) });
          cli.out.result(items, (v) => printList(cli.out, v));
        }),
      ),
    ['pocketdock list', 'pocketdock list --project myapp --json'],
  );

  examples(
    program
      .command('info')
      .description('a live snapshot of a container: status, resources, network, processes')
      .argument('<container>', 'name or id')
      .action(
        act(async (cli, [name]) => {
          const info = await (await cli.container(name as string)).info();
          cli.out.result(info, (v) => printInfo(cli.out, v));
        }),
      ),
    ['pocketdock info box', 'pocketdock info box --json'],
  );

  examples(
    program
      .command('reboot')
      .description('restart a container')
      .argument('<container>', 'name or id')
      .option('--fresh', 'recreate it from its image (same name and settings, a clean file system)')
      .action(
        act<{ fresh?: boolean }>(async (cli, [name], { fresh }) => {
          await (await cli.container(name as string)).reboot({ fresh: fresh ?? false });
          cli.out.note(`rebooted ${name as string}${fresh ? ' (fresh)' : ''}`);
        }),
      ),
    ['pocketdock reboot box', 'pocketdock reboot box --fresh'],
  );

  examples(
    program
      .command('stop')
      .description('stop a container without removing it')
      .argument('<container>', 'name or id')
      .action(
        act(async (cli, [name]) => {
          await (await cli.client()).stopContainer(name as string, cli.engine);
          cli.out.note(`stopped ${name as string}`);
        }),
      ),
    ['pocketdock stop box'],
  );

  examples(
    program
      .command('resume')
      .description('start a stopped container again, its file system intact')
      .argument('<container>', 'name or id')
      .action(
        act(async (cli, [name]) => {
          await (await cli.client()).resumeContainer(name as string, cli.engine);
          cli.out.note(`resumed ${name as string}`);
        }),
      ),
    ['pocketdock resume box'],
  );

  examples(
    program
      .command('shutdown')
      .description('remove a container for good, persistent or not (asks first)')
      .argument('<container>', 'name or id')
      .option('-y, --yes', 'do not ask')
      .action(
        act<{ yes?: boolean }>(async (cli, [name], { yes }) => {
          if (!(await confirm(`remove container ${name as string}?`, yes))) return 1;
          await (await cli.client()).destroyContainer(name as string, cli.engine);
          cli.out.note(`removed ${name as string}`);
        }),
      ),
    ['pocketdock shutdown box', 'pocketdock shutdown box --yes'],
  );

  examples(
    program
      .command('snapshot')
      .description("commit a container's file system to an image; prints its id")
      .argument('<container>', 'name or id')
      .argument('<image>', 'new image name, e.g. myimage:v1')
      .action(
        act(async (cli, [name, image]) => {
          const id = await (await cli.container(name as string)).snapshot(image as string);
          cli.out.result(id, () => cli.out.line(id));
        }),
      ),
    ['pocketdock snapshot box mybox:v1', 'pocketdock create --image mybox:v1'],
  );

  examples(
    program
      .command('prune')
      .description('remove every stopped managed container (asks first)')
      .option('--project <name>', "only this project's")
      .option('-y, --yes', 'do not ask')
      .action(
        act<{ project?: string; yes?: boolean }>(async (cli, _args, { project, yes }) => {
          if (!(await confirm(`remove every stopped container${project ? ` of project ${project}` : ''}?`, yes))) return 1;
          const removed = await (await cli.client()).prune({ ...cli.engine, ...(project !== undefined && { project }) });
          cli.out.result(removed, () => cli.out.line(`removed ${removed} container${removed === 1 ? '' : 's'}`));
        }),
      ),
    ['pocketdock prune --project myapp --yes'],
  );
}
