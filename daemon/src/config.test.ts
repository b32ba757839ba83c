import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseDaemonArgs } from './config.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'pd-cfg-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
};

const run = (argv: string[]) => {
  const parsed = parseDaemonArgs(argv, {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  return parsed.config;
};

describe('daemon config', () => {
  it('has defaults', () => {
    const c = run([]);
    expect(c.port).toBe(7117);
    expect(c.logLevel).toBe('info');
    expect(c.socket).toMatch(/pocketdock\.sock$/);
    expect(c.leaseGraceSeconds).toBe(30);
    expect(c.engineTimeoutSeconds).toBe(30);
  });

  it('reads the yaml file and lets flags win over it', () => {
    const path = file('port: 9000\nlogLevel: debug\nsocket: /tmp/a.sock\nlimits:\n  maxBatch: 5\nleaseGraceSeconds: 2.5\n');
    const c = run(['--config', path, '--port', '0', '--socket', '/tmp/b.sock']);
    expect(c).toMatchObject({ port: 0, logLevel: 'debug', socket: '/tmp/b.sock', leaseGraceSeconds: 2.5 });
    expect(c.limits.maxBatch).toBe(5);
    expect(c.limits.maxPending).toBe(1000);
  });

  it('reads network: blocks off by default, one given keeps the others', () => {
    expect(run([]).network).toEqual({ name: 'pocketdock-sandbox', blockLinkLocal: false, blockHost: false });
    expect(run(['--config', file('network:\n  blockHost: true\n')]).network).toEqual({
      name: 'pocketdock-sandbox',
      blockLinkLocal: false,
      blockHost: true,
    });
    expect(() => run(['--config', file('network:\n  blockHost: yes please\n')])).toThrow(/network.blockHost must be true or false/);
    expect(() => run(['--config', file('network:\n  name: "a b"\n')])).toThrow(/network.name must be a network name/);
    expect(() => run(['--config', file('network:\n  block: true\n')])).toThrow(/unknown key network.block/);
  });

  it('names what is wrong', () => {
    expect(() => run(['--port', 'x'])).toThrow(/--port must be a port number/);
    expect(() => run(['--log-level', 'loud'])).toThrow(/--log-level must be one of/);
    expect(() => run(['--bogus'])).toThrow(ConfigError);
    expect(() => run(['--config', file('prot: 1\n')])).toThrow(/unknown key prot/);
    expect(() => run(['--config', file('limits:\n  maxBatch: -1\n')])).toThrow(/limits.maxBatch must be a positive integer/);
    expect(() => run(['--config', '/nonexistent/config.yaml'])).toThrow(/cannot read config/);
    expect(() => run(['--config', file('leaseGraceSeconds: 0\n')])).toThrow(/leaseGraceSeconds must be a number of seconds/);
    expect(() => run(['--config', file('engineTimeoutSeconds: -1\n')])).toThrow(/engineTimeoutSeconds must be a number of seconds/);
  });

  it('reads the host policy and sandbox keys, refusing malformed ones', () => {
    const c = run([
      '--config',
      file('tcpHostPaths: [/srv/a]\ntcpEngines: [/run/e.sock]\nsandbox:\n  pidsLimit: 64\n  memory: ""\n  runtime: runsc\n'),
    ]);
    expect(c).toMatchObject({ tcpHostPaths: ['/srv/a'], tcpEngines: ['/run/e.sock'], engines: [] });
    expect(c.sandbox).toMatchObject({ pidsLimit: 64, memory: '', runtime: 'runsc', nofile: 4096, cpuPercent: 100 });
    expect(() => run(['--config', file('tcpHostPaths: [relative]\n')])).toThrow(/tcpHostPaths must be a list of absolute paths/);
    expect(() => run(['--config', file('sandbox:\n  pidsLimit: 0\n')])).toThrow(/sandbox.pidsLimit must be a positive integer/);
    expect(() => run(['--config', file('sandbox:\n  memory: lots\n')])).toThrow(/sandbox.memory must be a size/);
    expect(() => run(['--config', file('sandbox:\n  privileged: true\n')])).toThrow(/unknown key sandbox.privileged/);
  });

  it('reads warm pools by profile or image, sized and capped', () => {
    const c = run(['--config', file('pool:\n  minimal-python: 4\n  "my/image:1": { size: 2, maxIdleSeconds: 60 }\n')]);
    expect(c.pool).toEqual({ 'minimal-python': { size: 4, maxIdleSeconds: 600 }, 'my/image:1': { size: 2, maxIdleSeconds: 60 } });
    expect(run([]).pool).toEqual({});
    expect(() => run(['--config', file('pool:\n  dev: 65\n')])).toThrow(/pool.dev size must be an integer 0-64/);
    expect(() => run(['--config', file('pool:\n  dev: { size: 1, ttl: 3 }\n')])).toThrow(/unknown key pool.dev.ttl/);
    expect(() => run(['--config', file('pool: [dev]\n')])).toThrow(/pool must be a mapping/);
  });

  it('answers --help and --version', () => {
    expect(parseDaemonArgs(['--help'], {}).kind).toBe('help');
    expect(parseDaemonArgs(['--version'], {}).kind).toBe('version');
  });
});
