import { describe, expect, it } from 'vitest';
import { ERRORS } from '@pocketdock/protocol';
import {
  ContainerError,
  ContainerGone,
  ContainerNotFound,
  ImageNotFound,
  InvalidParams,
  PocketDockError,
  errorFromWire,
} from './errors.js';

describe('errors rebuilt from the wire', () => {
  it('rebuilds the class named by data.type with its fields', () => {
    const err = errorFromWire({
      code: -32021,
      message: 'container x not found',
      data: { type: 'ContainerNotFound', containerId: 'x', detail: 'gone' },
    });
    expect(err).toBeInstanceOf(ContainerNotFound);
    expect(err).toBeInstanceOf(ContainerError);
    expect(err).toBeInstanceOf(PocketDockError);
    expect(err).toMatchObject({
      name: 'ContainerNotFound',
      containerId: 'x',
      detail: 'gone',
      code: -32021,
      message: 'container x not found',
    });
  });

  it('falls back on the code when data.type is missing, and on the root class when both are unknown', () => {
    expect(errorFromWire({ code: -32602, message: 'bad' })).toBeInstanceOf(InvalidParams);
    expect(errorFromWire({ code: ERRORS.ImageNotFound.code, message: 'x' })).toBeInstanceOf(ImageNotFound);
    const unknown = errorFromWire({ code: -1, message: 'odd', data: { type: 'Martian' } });
    expect(unknown.constructor).toBe(PocketDockError);
  });

  it("has a class for every type of the protocol table, extending the table's parent", () => {
    for (const [type, spec] of Object.entries(ERRORS)) {
      const err = errorFromWire({ code: spec.code, message: type, data: { type } });
      expect(err.name).toBe(type);
      if (spec.parent) expect(Object.getPrototypeOf(err.constructor).name).toBe(spec.parent);
    }
    expect(errorFromWire({ code: -32023, message: '', data: { type: 'ContainerGone' } })).toBeInstanceOf(ContainerGone);
  });

  it('carries every field the table names for its type, as a property', () => {
    for (const [type, spec] of Object.entries(ERRORS)) {
      const data = Object.fromEntries([['type', type], ...spec.fields.map((f) => [f, `${type}.${f}`])]);
      const err = errorFromWire({ code: spec.code, message: type, data }) as unknown as Record<string, unknown>;
      for (const field of spec.fields) expect(err[field], `${type}.${field}`).toBe(`${type}.${field}`);
    }
  });
});
