/** push and pull: files and directory trees between this machine and a container. */
import type { Command } from 'commander';
import type { Container, PullResult, TransferOptions } from '@pocketdock/client';
import type { Cli } from '../context.js';
import { act, examples } from '../program.js';
import { tracked, transferProgress } from '../progress.js';

interface Direction {
  name: 'push' | 'pull';
  description: string;
  src: string;
  dest: string;
  /** How the progress line names the move. */
  label: (container: string, src: string, dest: string) => string;
  move: (c: Container, src: string, dest: string, opts: TransferOptions) => Promise<PullResult | void>;
  examples: string[];
}

const DIRECTIONS: Direction[] = [
  {
    name: 'push',
    description: 'copy a file or directory from here into a container',
    src: 'local file or directory',
    dest: 'absolute path in the container: the new file or directory',
    label: (c, src, dest) => `push ${src} → ${c}:${dest}`,
    move: (c, src, dest, opts) => c.push(src, dest, opts),
    examples: ['pocketdock push box ./src /home/sandbox/src', 'pocketdock push box data.csv /home/sandbox/data.csv'],
  },
  {
    name: 'pull',
    description: 'copy a file or directory from a container to here',
    src: 'absolute path in the container',
    dest: 'local path: the new file or directory',
    label: (c, src, dest) => `pull ${c}:${src} → ${dest}`,
    move: (c, src, dest, opts) => c.pull(src, dest, opts),
    examples: ['pocketdock pull box /home/sandbox/out ./out'],
  },
];

async function transfer(cli: Cli, d: Direction, name: string, src: string, dest: string): Promise<void> {
  const c = await cli.container(name);
  const result = await tracked(transferProgress(cli.out, d.label(name, src, dest)), (onProgress) => d.move(c, src, dest, { onProgress }));
  // Members a pull left out (links leading outside the destination, special files) are said.
  if (result)
    cli.out.result(result, (r) => {
      for (const s of r.skipped) cli.out.note(`skipped ${s.name}: ${s.reason}`);
    });
}

export function registerFileCommands(program: Command): void {
  for (const d of DIRECTIONS) {
    examples(
      program
        .command(d.name)
        .description(d.description)
        .argument('<container>', 'name or id')
        .argument('<src>', d.src)
        .argument('<dest>', d.dest)
        .action(act(async (cli, [name, src, dest]) => transfer(cli, d, name as string, src as string, dest as string))),
      d.examples,
    );
  }
}
