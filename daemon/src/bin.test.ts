// The daemon run as a program goes through its sh line (bin.ts): node must start there with exactly
// the flags package.json's nodeFlags lists, which the launchers that start node themselves pass.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BIN = new URL('./bin.ts', import.meta.url).pathname;
const { nodeFlags } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { nodeFlags: string[] };

describe('pocketdockd as a program', () => {
  it("starts node with package.json's nodeFlags, and the daemon's arguments as given", () => {
    // Preloaded before the entry, which it never reaches: what node was started with, then out.
    const report = 'data:text/javascript,console.log(JSON.stringify([process.execArgv,process.argv.slice(2)]));process.exit(0)';
    const r = spawnSync('sh', [BIN, '--socket', 'a b.sock', '--port', '0'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--import=${report}` },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([nodeFlags, ['--socket', 'a b.sock', '--port', '0']]);
    expect(nodeFlags.length).toBeGreaterThan(0);
  });

  it('is started with them where docs/service.md starts node itself', () => {
    const service = readFileSync(new URL('../../docs/service.md', import.meta.url), 'utf8');
    expect(service).toContain(`ExecStart=/opt/node/bin/node ${nodeFlags.join(' ')} /opt/node/`);
  });
});
