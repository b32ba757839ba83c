import { describe, expect, it } from 'vitest';
import { PROJECT_DEFAULTS } from '@pocketdock/protocol';
import { engineSocket } from './project.js';

describe('engine socket precedence', () => {
  const config = { ...PROJECT_DEFAULTS, socket: '/from/config' };
  it("explicit > POCKETDOCK_SOCKET > project config > the daemon's choice", () => {
    expect(engineSocket('/explicit', config, { POCKETDOCK_SOCKET: '/env' })).toBe('/explicit');
    expect(engineSocket(undefined, config, { POCKETDOCK_SOCKET: '/env' })).toBe('/env');
    expect(engineSocket(undefined, config, {})).toBe('/from/config');
    expect(engineSocket(undefined, PROJECT_DEFAULTS, {})).toBeUndefined();
    expect(engineSocket(undefined, undefined, { POCKETDOCK_SOCKET: '' })).toBeUndefined();
  });
});
