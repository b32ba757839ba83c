import { describe, expect, it } from 'vitest';
import { answerId, nestsDeeperThan, shapeError } from './message-shape.js';

describe('message shape', () => {
  it('measures nesting on the text, ignoring brackets inside strings', () => {
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[[[[["\\\\' }), 1)).toBe(false);
    expect(nestsDeeperThan(`{"id":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 64)).toBe(true);
  });

  it('refuses requests that are not objects, ids of the wrong type and params that are not objects', () => {
    const ok = { jsonrpc: '2.0', id: 1, method: 'daemon.hello' };
    expect(shapeError(ok)).toBeUndefined();
    expect(shapeError({ ...ok, id: null, params: {} })).toBeUndefined();
    for (const bad of [
      null,
      1,
      'x',
      [ok],
      { ...ok, jsonrpc: '1.0' },
      { ...ok, method: 5 },
      { ...ok, id: true },
      { ...ok, id: {} },
      { ...ok, id: [1] },
      { ...ok, params: null },
      { ...ok, params: [1] },
      { ...ok, params: 'x' },
    ]) {
      expect(shapeError(bad)?.type, JSON.stringify(bad)).toBe('InvalidRequest');
    }
    expect(answerId({ id: [1] })).toBeNull();
    expect(answerId({ id: 'a' })).toBe('a');
  });
});
