import { describe, expect, it } from 'vitest';
import { PROJECT_DEFAULTS, ProjectConfigError, parseSize, projectConfigDocument, projectConfigFrom } from './project.js';

describe('project config', () => {
  it('fills defaults and reads the file\'s snake_case keys', () => {
    expect(projectConfigFrom(null)).toEqual(PROJECT_DEFAULTS);
    expect(projectConfigFrom({ project_name: 'x', default_persist: true, socket: '/s' })).toMatchObject({ projectName: 'x', defaultPersist: true, socket: '/s', autoLog: true });
    expect(projectConfigFrom(projectConfigDocument(PROJECT_DEFAULTS))).toEqual(PROJECT_DEFAULTS);
  });

  it('names the bad key', () => {
    expect(() => projectConfigFrom({ max_logs_per_instance: 'many' })).toThrow(/max_logs_per_instance must be a number/);
    expect(() => projectConfigFrom({ max_log_size: 'big' })).toThrow(ProjectConfigError);
    expect(() => projectConfigFrom([])).toThrow(/mapping/);
  });

  it('parses sizes, decimal and binary', () => {
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('300B')).toBe(300);
    expect(parseSize('1.5k')).toBe(1500);
    expect(parseSize('2MiB')).toBe(2 * 1024 * 1024);
    expect(parseSize('64')).toBe(64);
  });
});
