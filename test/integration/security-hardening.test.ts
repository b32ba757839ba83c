// Hardening by default on every engine: capabilities, no-new-privileges, seccomp, pids/memory/CPU,
// ulimits, log cap, init — as the engine reports them, as a process inside sees them, in info(),
// and every profile whose image is built still doing its basics under them.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Container, CreateContainerOptions } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();
const { containers: names } = removeAfterAll(engines);

/** What a profile's image must still do under the hardening. */
const BASICS: Record<string, string> = {
  'minimal-python': 'python3 -c "import json, venv; print(1 + 1)"',
  'minimal-node': 'node -e "console.log(1 + 1)"',
  'minimal-bun': 'bun -e "console.log(1 + 1)"',
  dev: 'python3 -c "import requests; print(1 + 1)" && git --version >/dev/null',
  agent: 'python3 -c "import numpy; print(1 + 1)"',
  embedded: 'printf "int main(){return 0;}" > t.c && gcc t.c -o t && ./t && echo 2',
};

describe.each(engines)('hardening on $name', (e) => {
  async function create(opts: CreateContainerOptions = {}): Promise<Container> {
    const name = `pd-harden-${randomBytes(3).toString('hex')}`;
    names.push(name);
    return suite.pd.createNewContainer({ socketPath: e.socketPath, name, ...opts });
  }

  it('drops capabilities, sets no-new-privileges, keeps seccomp, limits pids, memory, CPU, files and logs', async () => {
    const c = await create();
    const h = (await e.docker.getContainer(c.name).inspect()).HostConfig;
    expect(h.SecurityOpt).toContain('no-new-privileges');
    expect(h.PidsLimit).toBe(512);
    expect(h.Memory).toBe(1024 ** 3);
    expect(h.CpuQuota! / h.CpuPeriod!).toBe(1);
    const inside = await c.run(
      'grep -E "^(CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; ulimit -n; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max',
      { lang: 'bash' },
    );
    expect(inside.stdout).toBe('CapBnd:\t00000000000004fb\nNoNewPrivs:\t1\nSeccomp:\t2\n4096\n512\n');
    const { limits } = await c.info();
    expect(limits).toEqual({
      memoryBytes: 1024 ** 3,
      cpuPercent: 100,
      pidsLimit: 512,
      nofile: 4096,
      nproc: 4096,
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
      noNewPrivileges: true,
      seccomp: true,
      runtime: expect.any(String),
      logMaxSize: e.name === 'docker' ? '10m' : expect.any(String),
    });
    // A setuid binary grants nothing.
    expect((await c.run('su -c id root </dev/null; echo rc=$?')).stdout).toMatch(/rc=1/);
  });

  it('lets a request override the memory and CPU defaults, and a fresh reboot keeps the hardening', async () => {
    const c = await create({ memLimit: '256m', cpuPercent: 50 });
    expect((await c.info()).limits).toMatchObject({ memoryBytes: 256 * 1024 ** 2, cpuPercent: 50, pidsLimit: 512 });
    await c.reboot({ fresh: true });
    expect((await c.info()).limits).toMatchObject({
      memoryBytes: 256 * 1024 ** 2,
      cpuPercent: 50,
      pidsLimit: 512,
      noNewPrivileges: true,
      nofile: 4096,
    });
  });

  it.each(Object.entries(BASICS))('profile %s still does its basics (when its image is built)', async (profile, command) => {
    const built = await e.docker
      .getImage(`pocketdock/${profile}`)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!built) {
      console.warn(`hardening on ${e.name}: profile ${profile} not built here, not checked (CI builds every profile)`);
      return;
    }
    const c = await create({ profile });
    const r = await c.run(`id -un && ${command} && ps -e >/dev/null && echo ok > f && cat f`, { lang: 'bash', timeout: 60 });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'sandbox\n2\nok\n' });
    await c.writeFile('/home/sandbox/w.txt', 'written');
    expect((await c.readFile('/home/sandbox/w.txt')).toString()).toBe('written');
  });
});

describe('a root image over the Unix socket', () => {
  it("runs as root with the short capability list only, behind the engine's init", async () => {
    const name = `pd-harden-root-${randomBytes(3).toString('hex')}`;
    names.push(name);
    const c = await suite.pd.createNewContainer({ image: 'pocketdock/base:bookworm', name });
    const r = await c.run(
      'id -u; chown 1:1 /tmp && echo chown-ok; mknod /tmp/n c 1 3 2>/dev/null || echo mknod-refused; cat /proc/1/cmdline | tr "\\0" " "',
    );
    expect(r.stdout).toMatch(/^0\nchown-ok\nmknod-refused\n.*init/);
  });
});
