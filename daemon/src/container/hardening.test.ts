import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX, effectiveLimits, hardenedHostConfig, hasInit } from './hardening.js';

describe('hardening', () => {
  it('reads back what it sets as the limits in effect', () => {
    const h = {
      ...hardenedHostConfig({ ...DEFAULT_SANDBOX, runtime: 'runsc' }, false),
      Memory: 2 ** 30,
      CpuPeriod: 100_000,
      CpuQuota: 50_000,
    };
    expect(h).toMatchObject({ CapDrop: ['ALL'], Init: true, Runtime: 'runsc', SecurityOpt: ['no-new-privileges'] });
    expect(effectiveLimits(h)).toEqual({
      memoryBytes: 2 ** 30,
      cpuPercent: 50,
      pidsLimit: 512,
      nofile: 4096,
      nproc: 4096,
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
      noNewPrivileges: true,
      seccomp: true,
      runtime: 'runsc',
      logMaxSize: '10m',
    });
  });

  it("reads an unhardened container and Podman's wording", () => {
    expect(effectiveLimits({ SecurityOpt: ['seccomp=unconfined'] })).toMatchObject({
      capabilities: expect.arrayContaining(['NET_RAW', 'MKNOD']),
      noNewPrivileges: false,
      seccomp: false,
      pidsLimit: 0,
    });
    const podman = effectiveLimits({
      CapDrop: ['CAP_AUDIT_WRITE', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_SYS_CHROOT'],
      CapAdd: [],
      Ulimits: [{ Name: 'RLIMIT_NOFILE', Soft: 4096, Hard: 4096 }],
      Runtime: 'oci',
      PidsLimit: 512,
    });
    expect(podman).toMatchObject({
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
      nofile: 4096,
      runtime: '',
    });
  });

  it("adds the engine's init only where the image has none", () => {
    expect(hasInit(['/usr/bin/tini', '-g', '--'])).toBe(true);
    expect(hasInit(['docker-entrypoint.sh'])).toBe(false);
    expect(hardenedHostConfig(DEFAULT_SANDBOX, true).Init).toBeUndefined();
  });
});
