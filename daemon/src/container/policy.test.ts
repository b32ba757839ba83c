import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { HostPolicy, RULE, realHostPath, type HostPolicyConfig } from './policy.js';

const root = mkdtempSync(join(tmpdir(), 'pd-policy-'));
const stateDir = join(root, 'state');
const engineDir = join(root, 'engine');
const shared = join(root, 'shared');
for (const d of [stateDir, engineDir, shared]) mkdirSync(d);
const engineSocket = join(engineDir, 'engine.sock');
writeFileSync(engineSocket, '');
symlinkSync('/', join(root, 'to-root'));

const config = (over: Partial<HostPolicyConfig> = {}): HostPolicyConfig => ({
  socket: join(root, 'daemon', 'pd.sock'),
  stateDir,
  allowHostOptionsOverTcp: false,
  tcpHostPaths: [],
  tcpEngines: [],
  ...over,
});
const policy = (over?: Partial<HostPolicyConfig>) => new HostPolicy(config(over), () => [engineSocket, '/other/engine.sock']);
const unix = { tcp: false },
  tcp = { tcp: true };

function refusal(fn: () => void): { type: string; option?: string; rule?: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof DaemonError) return { type: err.type, ...(err.fields as { option?: string; rule?: string }) };
    throw err;
  }
  return { type: 'none' };
}

describe('host policy', () => {
  it('never mounts the host root, system dirs, engine sockets or the state dir, for anyone', () => {
    for (const host of [
      '/',
      '/proc',
      '/proc/1/root',
      '/sys/kernel',
      '/dev',
      engineSocket,
      engineDir,
      root,
      stateDir,
      join(stateDir, 'token'),
      join(root, 'to-root'),
      join(root, 'to-root', 'proc'),
    ]) {
      expect(
        refusal(() => policy().checkCreate({ volumes: { [host]: '/mnt' } }, unix)),
        host,
      ).toEqual({ type: 'OptionRefused', option: 'volumes', rule: RULE.protectedPath, detail: expect.any(String) });
    }
    expect(refusal(() => policy({ allowHostOptionsOverTcp: true }).checkCreate({ volumes: { '/': '/host' } }, tcp)).rule).toBe(
      RULE.protectedPath,
    );
    expect(refusal(() => policy().checkCreate({ projectRoot: '/proc/self' }, unix)).option).toBe('projectRoot');
  });

  it('lets a Unix-socket client mount other host dirs, named volumes and devices', () => {
    expect(
      refusal(() =>
        policy().checkCreate({ volumes: { [shared]: '/mnt', cache: '/cache' }, devices: ['/dev/null'], projectRoot: shared }, unix),
      ).type,
    ).toBe('none');
  });

  it('refuses host options to a TCP client unless the config allows them', () => {
    expect(refusal(() => policy().checkCreate({ volumes: { [shared]: '/mnt' } }, tcp))).toMatchObject({
      option: 'volumes',
      rule: RULE.tcpHost,
    });
    expect(refusal(() => policy().checkCreate({ volumes: { cache: '/cache' } }, tcp))).toMatchObject({
      option: 'volumes',
      rule: RULE.tcpHost,
    });
    expect(refusal(() => policy().checkCreate({ devices: ['/dev/null'] }, tcp))).toMatchObject({ option: 'devices', rule: RULE.tcpHost });
    expect(refusal(() => policy().checkCreate({ projectRoot: shared }, tcp))).toMatchObject({ option: 'projectRoot', rule: RULE.tcpHost });
    expect(refusal(() => policy().checkCreate({ socketPath: '/other/engine.sock' }, tcp))).toMatchObject({
      option: 'socketPath',
      rule: RULE.tcpHost,
    });
    expect(refusal(() => policy().checkCreate({ socketPath: engineSocket }, tcp)).type).toBe('none');
    expect(refusal(() => policy({ tcpHostPaths: [shared] }).checkCreate({ volumes: { [join(shared, 'a')]: '/mnt' } }, tcp)).type).toBe(
      'none',
    );
    expect(refusal(() => policy({ tcpEngines: ['/other/engine.sock'] }).checkCreate({ socketPath: '/other/engine.sock' }, tcp)).type).toBe(
      'none',
    );
    expect(
      refusal(() => policy({ allowHostOptionsOverTcp: true }).checkCreate({ volumes: { [shared]: '/mnt' }, devices: ['/dev/null'] }, tcp))
        .type,
    ).toBe('none');
  });

  it('refuses a TCP client a sandbox that was made with what it may not ask for, as the engine holds it', () => {
    const sandbox = (binds: string[], user: string, devices: string[] = []) =>
      ({
        Name: '/pd-x',
        Config: { Image: 'some/image', User: user },
        HostConfig: { Binds: binds, Devices: devices.map((d) => ({ PathOnHost: d, PathInContainer: d })) },
      }) as unknown as ContainerInspect;
    const refused = { type: 'OptionRefused', option: 'container', rule: RULE.hostSandbox };
    // Podman writes its mount options after the paths.
    expect(refusal(() => policy().checkSandbox(sandbox([`${shared}:/mnt:rw,rprivate,rbind`], 'sandbox'), tcp))).toMatchObject(refused);
    expect(refusal(() => policy().checkSandbox(sandbox(['cache:/cache'], 'sandbox'), tcp))).toMatchObject(refused);
    expect(refusal(() => policy().checkSandbox(sandbox([], 'sandbox', ['/dev/null']), tcp))).toMatchObject(refused);
    for (const user of ['', 'root', '0', '0:0'])
      expect(refusal(() => policy().checkSandbox(sandbox([], user), tcp))).toMatchObject(refused);
    expect(refusal(() => policy().checkSandbox(sandbox([], 'sandbox'), tcp)).type).toBe('none');
    expect(refusal(() => policy({ tcpHostPaths: [shared] }).checkSandbox(sandbox([`${shared}:/mnt`], '1000'), tcp)).type).toBe('none');
    expect(refusal(() => policy().checkSandbox(sandbox([`${shared}:/mnt`], ''), unix)).type).toBe('none');
    expect(refusal(() => policy({ allowHostOptionsOverTcp: true }).checkSandbox(sandbox([`${shared}:/mnt`], ''), tcp)).type).toBe('none');
  });

  it('refuses mount syntax smuggled into a path, and devices outside /dev', () => {
    expect(refusal(() => policy().checkCreate({ volumes: { [`${shared}:/x`]: '/mnt' } }, unix))).toMatchObject({ type: 'InvalidParams' });
    expect(refusal(() => policy().checkCreate({ volumes: { [shared]: '/mnt:rshared' } }, unix))).toMatchObject({ type: 'InvalidParams' });
    expect(refusal(() => policy().checkCreate({ devices: [join(shared)] }, unix))).toMatchObject({
      option: 'devices',
      rule: RULE.protectedPath,
    });
  });

  it('resolves the longest existing prefix of a path', () => {
    expect(realHostPath(join(root, 'to-root', 'no', 'such'))).toBe('/no/such');
    expect(realHostPath('/no/such/../path')).toBe('/no/path');
  });
});
