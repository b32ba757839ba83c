/**
 * Builds the dashboard into dist/: index.html, app.js and app.css (xterm's stylesheet bundled in),
 * everything the daemon serves at `/`. No CDN and nothing fetched at run time.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const here = (path: string) => new URL(path, import.meta.url).pathname;

await rm(here('dist'), { recursive: true, force: true });
await mkdir(here('dist'));
await build({
  entryPoints: { app: here('src/main.tsx') },
  outdir: here('dist'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome115', 'firefox115'],
  minify: true,
  // The page names the daemon's errors by their class (OptionRefused, ContainerNotRunning…), not a minified name.
  keepNames: true,
  sourcemap: 'linked',
  tsconfig: here('tsconfig.json'),
  logLevel: 'warning',
});
await copyFile(here('src/index.html'), here('dist/index.html'));
