import { describe, expect, it } from 'vitest';
import { defaultSocketPath } from '@pocketdock/protocol';
import { daemonTarget } from './connect.js';

describe('daemonTarget', () => {
  const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
  const fallback = defaultSocketPath({ env, uid: process.getuid?.() ?? 1000, home: '' });

  it('takes the option first, then POCKETDOCK_DAEMON and POCKETDOCK_TOKEN, then the default socket', () => {
    expect(daemonTarget({ daemon: '/a.sock', token: 't', env: { ...env, POCKETDOCK_DAEMON: '/b.sock', POCKETDOCK_TOKEN: 'u' } })).toEqual({
      address: '/a.sock',
      token: 't',
    });
    expect(daemonTarget({ env: { ...env, POCKETDOCK_DAEMON: 'ws://127.0.0.1:9', POCKETDOCK_TOKEN: 'u' } })).toEqual({
      address: 'ws://127.0.0.1:9',
      token: 'u',
    });
    expect(daemonTarget({ env })).toEqual({ address: fallback, token: undefined });
  });

  it('treats an empty POCKETDOCK_DAEMON or POCKETDOCK_TOKEN as unset', () => {
    expect(daemonTarget({ env: { ...env, POCKETDOCK_DAEMON: '', POCKETDOCK_TOKEN: '' } })).toEqual({ address: fallback, token: undefined });
  });
});
