/**
 * `npm run images -- [--force] [PROFILE...]`: builds the profile images (all by default) through the
 * daemon (started in the background when none answers), showing each Dockerfile step: a redrawn
 * progress bar on a terminal, plain `[3/12] RUN …` lines otherwise.
 * `npm run images -- --export FILE [PROFILE...]` and `--import FILE` move built images through an archive.
 */
import { parseArgs } from 'node:util';
import { connect, type ImageProgress } from '@pocketdock/client';

const { values, positionals: profiles } = parseArgs({
  allowPositionals: true,
  options: { force: { type: 'boolean' }, export: { type: 'string' }, import: { type: 'string' } },
});

const err = process.stderr;
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/** One line per step on a pipe; one bar, redrawn in place, on a terminal. */
function stepReporter(): (p: ImageProgress) => void {
  let last = '';
  return ({ profile, step, total, line }) => {
    const m = /^step \d+\/\d+\s*:\s*(.*)$/i.exec(line);
    if (!m || step === undefined || total === undefined) return;
    const what = m[1]!.replace(/\s+/g, ' ');
    if (!err.isTTY) {
      err.write(`${profile} [${step}/${total}] ${what}\n`);
      return;
    }
    const width = 20;
    const done = Math.round((width * step) / total);
    const bar = `${profile} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${step}/${total} `;
    const text = (bar + what).slice(0, Math.max(20, (err.columns ?? 80) - 1));
    err.write(`\r${text}${' '.repeat(Math.max(0, last.length - text.length))}`);
    last = text;
    if (step === total) {
      err.write('\n');
      last = '';
    }
  };
}

const pd = await connect();
try {
  if (values.import) {
    for (const image of await pd.importImages(values.import)) {
      err.write(
        `imported ${image.tag} (${mb(image.size)})${image.current ? '' : ": older than this checkout's profile, `npm run images` rebuilds it"}\n`,
      );
    }
  } else if (values.export) {
    const tags = await pd.exportImages(values.export, { ...(profiles.length && { profiles }) });
    err.write(`exported ${tags.join(', ')} to ${values.export}\n`);
  } else {
    const results = await pd.buildImages({ ...(profiles.length && { profiles }), force: values.force, onProgress: stepReporter() });
    for (const r of results) {
      err.write(`${r.tag}: ${r.built ? `built in ${r.seconds} s` : 'up to date'}, ${mb(r.size)}\n`);
    }
  }
} catch (e) {
  err.write(`images: ${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await pd.close();
}
