import { METHODS, type MethodName } from '@pocketdock/protocol';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { validateParams } from './validate.js';

const fieldOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).code).toBe(-32602);
    return (err as DaemonError).fields;
  }
  throw new Error('expected a validation error');
};

describe('params validation', () => {
  it("compiles every method's schema, in any order (each is compiled on its first call)", () => {
    for (const method of Object.keys(METHODS).reverse() as MethodName[]) {
      try {
        validateParams(method, {});
      } catch (err) {
        expect((err as DaemonError).code).toBe(-32602);
      }
    }
  });

  it('accepts valid params', () => {
    validateParams('container.create', { memLimit: '256m', ports: { '8080': 80 }, volumes: { '/tmp': '/mnt' } });
    validateParams('container.run', { container: 'pd-1', command: 'true', lang: 'python' });
  });

  it('names a missing, unknown or malformed field', () => {
    expect(fieldOf(() => validateParams('container.run', { command: 'x' }))).toMatchObject({ field: 'container', detail: 'is required' });
    expect(fieldOf(() => validateParams('container.create', { mem_limit: '1g' }))).toMatchObject({
      field: 'mem_limit',
      detail: 'is not a known option',
    });
    expect(fieldOf(() => validateParams('container.create', { cpuPercent: 150 }))).toMatchObject({ field: 'cpuPercent' });
    expect(fieldOf(() => validateParams('container.create', { ports: { http: 80 } }))).toMatchObject({ field: 'ports.http' });
    expect(fieldOf(() => validateParams('container.run', { container: 'c', command: 'x', lang: 'ruby' })).detail).toMatch(
      /must be one of "sh", "bash", "python", "node"/,
    );
  });
});
