import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDashboardFile, loadDashboard } from './dashboard.js';

describe('dashboard files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-dash-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.js'), 'export {}');
  writeFileSync(join(dir, 'notes.txt'), 'not served');
  const files = loadDashboard(dir);

  it('serves index.html at / and the built assets by name, nothing else', () => {
    expect([...files.keys()].sort()).toEqual(['/', '/app.js']);
    expect(files.get('/')?.type).toMatch(/^text\/html/);
  });

  it('counts only GET and HEAD of those paths as open, whatever the query', () => {
    expect(isDashboardFile(files, 'GET', '/?token=abc')).toBe(true);
    expect(isDashboardFile(files, 'HEAD', '/app.js')).toBe(true);
    expect(isDashboardFile(files, 'POST', '/')).toBe(false);
    expect(isDashboardFile(files, 'GET', '/rpc')).toBe(false);
    expect(isDashboardFile(files, 'GET', '/notes.txt')).toBe(false);
    expect(isDashboardFile(files, 'GET', '/../index.html')).toBe(false);
  });

  it('is empty when the dashboard was not built', () => {
    expect(loadDashboard(join(dir, 'missing')).size).toBe(0);
  });
});
