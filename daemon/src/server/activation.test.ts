import { describe, expect, it } from 'vitest';
import { ActivationError, takePassedSockets } from './activation.js';

describe('socket activation', () => {
  it('takes one or two sockets meant for this process, from fd 3, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'a:b', OTHER: 'x' };
    expect(takePassedSockets(env, 42)).toEqual({ unix: 3, tcp: 4 });
    expect(env).toEqual({ OTHER: 'x' });
    expect(takePassedSockets({ LISTEN_PID: '42', LISTEN_FDS: '1' }, 42)).toEqual({ unix: 3 });
  });

  it('ignores sockets meant for another process (the variables were inherited) but still clears them', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '41', LISTEN_FDS: '1' };
    expect(takePassedSockets(env, 42)).toBeUndefined();
    expect(env).toEqual({});
    expect(takePassedSockets({}, 42)).toBeUndefined();
    expect(takePassedSockets({ LISTEN_FDS: '1' }, 42)).toBeUndefined();
  });

  it('refuses a count it cannot map onto its listeners', () => {
    for (const count of ['0', '3', 'x', ''])
      expect(() => takePassedSockets({ LISTEN_PID: '42', LISTEN_FDS: count }, 42)).toThrow(ActivationError);
  });
});
