/** Image profiles and their images: profiles, build, export, import. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { bytes } from '../output.js';
import { act, examples } from '../program.js';
import { buildProgress, tracked, transferProgress } from '../progress.js';

/** The profile `export` saves when none is named and --all is not given. */
const DEFAULT_PROFILE = 'minimal-python';

export function registerImageCommands(program: Command): void {
  examples(
    program
      .command('profiles')
      .description('the image profiles: what each holds, its network default, its size')
      .action(
        act(async (cli) => {
          const profiles = await (await cli.client()).listProfiles();
          cli.out.result(profiles, (list) =>
            cli.out.table(
              ['PROFILE', 'IMAGE', 'NETWORK', 'SIZE', 'DESCRIPTION'],
              list.map((p) => [p.name, p.imageTag, p.networkDefault ? 'on' : 'off', p.sizeEstimate, p.description]),
              'no profiles',
            ),
          );
        }),
      ),
    ['pocketdock profiles', 'pocketdock profiles --json'],
  );

  examples(
    program
      .command('build')
      .description('build profile images that are missing or out of date (all profiles when none is named)')
      .argument('[profiles...]', 'profile names')
      .option('--force', 'rebuild even images that are up to date')
      .action(
        act<{ force?: boolean }>(async (cli, [names], { force }) => {
          const profiles = names as string[];
          const pd = await cli.client();
          const results = await tracked(buildProgress(cli.out), (onProgress) =>
            pd.buildImages({ ...(profiles.length > 0 && { profiles }), ...(force && { force }), ...cli.engine, onProgress }),
          );
          cli.out.result(results, (list) =>
            cli.out.table(
              ['PROFILE', 'IMAGE', 'BUILT', 'SIZE'],
              list.map((r) => [r.profile, r.tag, r.built ? `in ${r.seconds.toFixed(1)} s` : 'up to date', bytes(r.size)]),
              'nothing to build',
            ),
          );
        }),
      ),
    ['pocketdock build', 'pocketdock build minimal-python dev', 'pocketdock build dev --force'],
  );

  examples(
    program
      .command('export')
      .description('save profile images to a .tar or .tar.gz, to load on a machine without network')
      .argument('[profiles...]', `profile names (default ${DEFAULT_PROFILE})`)
      .option('--all', 'every built profile image')
      .requiredOption('-o, --output <file>', 'archive to write (.tar.gz or .tgz: compressed)')
      .action(
        act<{ all?: boolean; output: string }>(async (cli, [names], { all, output }) => {
          const named = names as string[];
          if (all && named.length > 0) throw new UsageError('name profiles or give --all, not both');
          const pd = await cli.client();
          const tags = await tracked(transferProgress(cli.out, `export → ${output}`), (onProgress) =>
            pd.exportImages(output, { ...(!all && { profiles: named.length > 0 ? named : [DEFAULT_PROFILE] }), ...cli.engine, onProgress }),
          );
          cli.out.result(tags, (list) => list.forEach((t) => cli.out.line(t)));
        }),
      ),
    ['pocketdock export -o images.tar.gz', 'pocketdock export --all -o all.tar', 'pocketdock export dev agent -o tools.tgz'],
  );

  examples(
    program
      .command('import')
      .description('load images from an archive written by export, and check that each one runs')
      .argument('<file>', '.tar or .tar.gz')
      .action(
        act(async (cli, [file]) => {
          const pd = await cli.client();
          const images = await tracked(transferProgress(cli.out, `import ${file as string}`), (onProgress) =>
            pd.importImages(file as string, { ...cli.engine, onProgress }),
          );
          cli.out.result(images, (list) =>
            cli.out.table(
              ['IMAGE', 'PROFILE', 'CURRENT', 'SIZE'],
              list.map((i) => [i.tag, i.profile ?? '-', i.current ? 'yes' : 'no (build would rebuild it)', bytes(i.size)]),
              'no images',
            ),
          );
        }),
      ),
    ['pocketdock import images.tar.gz'],
  );
}
