/**
 * The Python client (packages/python): its pytest suite, which starts its own daemon on a temporary
 * socket and drives every function, mode and error of the reference API on the real engine.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const PACKAGE = new URL('../../packages/python/', import.meta.url).pathname;

describe('python client', () => {
  it('passes its pytest suite', () => {
    const run = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      cwd: PACKAGE,
      encoding: 'utf8',
      timeout: 900_000,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(run.error).toBeUndefined();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  }, 900_000);
});
