/** `npm run bench`: runs every test/bench/*.bench.ts in turn (or the ones named on the command line). */
import { readdirSync } from 'node:fs';

// The test daemons check every result against its schema (test/helpers/daemon.ts): users' do not.
process.env.POCKETDOCK_CHECK_RESULTS ??= '0';

const dir = new URL('.', import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (wanted.length === 0 || wanted.some((w) => f.includes(w))))
  .sort();
for (const f of files) {
  console.error(`bench: ${f}`);
  const mod = (await import(new URL(f, dir).href)) as { default: () => Promise<void> };
  await mod.default();
}
