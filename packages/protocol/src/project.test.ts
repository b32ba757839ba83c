import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PROJECT_DEFAULTS,
  ProjectConfigError,
  parseProjectConfig,
  parseSize,
  projectConfigDocument,
  projectConfigFrom,
} from './project.js';

describe('project config', () => {
  it("fills defaults and reads the file's snake_case keys", () => {
    expect(projectConfigFrom(null)).toEqual(PROJECT_DEFAULTS);
    expect(projectConfigFrom({ project_name: 'x', default_persist: true, socket: '/s' })).toMatchObject({
      projectName: 'x',
      defaultPersist: true,
      socket: '/s',
      autoLog: true,
    });
    expect(projectConfigFrom(projectConfigDocument(PROJECT_DEFAULTS))).toEqual(PROJECT_DEFAULTS);
  });

  it("reads log_level in any case and in Python's names, and refuses what is no level", () => {
    expect(projectConfigFrom({ log_level: 'DEBUG' }).logLevel).toBe('debug');
    expect(projectConfigFrom({ log_level: 'warning' }).logLevel).toBe('warn');
    expect(projectConfigFrom({ log_level: 'CRITICAL' }).logLevel).toBe('fatal');
    expect(() => projectConfigFrom({ log_level: 'loud' })).toThrow(
      /: log_level "loud" is not one of trace, debug, info, warn, error, fatal, silent$/,
    );
  });

  it('names the bad key', () => {
    expect(() => projectConfigFrom({ max_logs_per_instance: 'many' })).toThrow(/max_logs_per_instance must be a number/);
    expect(() => projectConfigFrom({ max_log_size: 'big' })).toThrow(ProjectConfigError);
    expect(() => projectConfigFrom([])).toThrow(/mapping/);
  });

  it('names the file and the line of a bad key or of broken yaml', () => {
    const file = '/p/.pocketdock/pocketdock.yaml';
    expect(() => parseProjectConfig('project_name: x\n\nmax_log_size: lots\n', file, parse)).toThrow(
      expect.objectContaining({
        field: 'max_log_size',
        file,
        line: 3,
        message: `${file}:3: max_log_size "lots" is not a size like "10MB"`,
      }),
    );
    expect(() => parseProjectConfig('project_name: x\n"auto_log": 3\n', file, parse)).toThrow(`${file}:2: auto_log must be a boolean`);
    expect(() => parseProjectConfig('project_name: x\nsocket: [unclosed\nauto_log: true\n', file, parse)).toThrow(
      expect.objectContaining({
        field: '(document)',
        file,
        line: expect.any(Number),
        message: expect.stringMatching(/^\/p\/\.pocketdock\/pocketdock\.yaml:\d+: \(document\) is not valid yaml: /),
      }),
    );
    expect(parseProjectConfig('project_name: x\n', file, parse)).toMatchObject({ projectName: 'x' });
  });

  it('parses sizes, decimal and binary', () => {
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('300B')).toBe(300);
    expect(parseSize('1.5k')).toBe(1500);
    expect(parseSize('2MiB')).toBe(2 * 1024 * 1024);
    expect(parseSize('64')).toBe(64);
  });
});
