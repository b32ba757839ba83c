import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLog, recordCommand } from './records.js';
import { enforceLimits } from './rotate.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function instance(config: string): { dataPath: string; name: string } {
  const root = mkdtempSync(join(tmpdir(), 'pd-records-'));
  roots.push(root);
  mkdirSync(join(root, '.pocketdock', 'instances', 'pd-1', 'logs'), { recursive: true });
  writeFileSync(join(root, '.pocketdock', 'pocketdock.yaml'), config);
  return { dataPath: join(root, '.pocketdock', 'instances', 'pd-1'), name: 'pd-1' };
}

describe('instance records', () => {
  it('rotates a log past max_log_size and keeps max_logs_per_instance files', async () => {
    const h = instance('max_log_size: 100B\nmax_logs_per_instance: 3\n');
    for (let i = 0; i < 10; i++) await appendLog(h, 'session-a', `${String(i).repeat(40)}\n`);
    const files = readdirSync(join(h.dataPath, 'logs'));
    expect(files).toHaveLength(3);
    expect(files).toContain('session-a.log');
    for (const f of files) expect(statSync(join(h.dataPath, 'logs', f)).size).toBeLessThanOrEqual(100);
    expect(readFileSync(join(h.dataPath, 'logs', 'session-a.log'), 'utf8')).toContain('9'.repeat(40));
  });

  it('keeps the newest bytes of a write larger than a whole file', async () => {
    const h = instance('max_log_size: 10B\n');
    await appendLog(h, 'process-x', 'abcdefghijklmnopqrstuvwxyz');
    expect(readFileSync(join(h.dataPath, 'logs', 'process-x.log'), 'utf8')).toBe('qrstuvwxyz');
  });

  it('drops files older than retention_days', async () => {
    const h = instance('retention_days: 1\n');
    const old = join(h.dataPath, 'logs', 'session-old.log');
    writeFileSync(old, 'x');
    const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    await enforceLimits(join(h.dataPath, 'logs'), { maxBytes: 100, maxFiles: 100, retentionDays: 1 });
    expect(readdirSync(join(h.dataPath, 'logs'))).toEqual([]);
  });

  it('writes nothing with auto_log off, without a project, or for a source that is not a file stem', async () => {
    const h = instance('auto_log: false\n');
    await recordCommand(h, { kind: 'run', command: 'x', exitCode: 0, durationMs: 1 });
    await appendLog(h, 'session-a', 'x');
    expect(readdirSync(h.dataPath)).toEqual(['logs']);
    expect(readdirSync(join(h.dataPath, 'logs'))).toEqual([]);
    await expect(
      recordCommand({ dataPath: '', name: 'n' }, { kind: 'run', command: 'x', exitCode: 0, durationMs: 1 }),
    ).resolves.toBeUndefined();
    const on = instance('');
    await appendLog(on, '../escape', 'x');
    expect(readdirSync(join(on.dataPath, 'logs'))).toEqual([]);
  });
});
