// network.blockLinkLocal / blockHost: sandboxes join a network the daemon made, whose bridge's traffic
// goes through the daemon's own iptables chain. A host listener the test starts (on 0.0.0.0 and on the
// gateway's address) answers a sandbox of a daemon without the option and not one of a daemon with it;
// the chain is listed while the daemon runs and gone once it stops, and a daemon killed with SIGKILL
// leaves rules the next start on its state dir replaces. Link-local is checked as the installed rule:
// nothing here connects to an address outside the machine.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { chainName } from '../../daemon/src/network/firewall.js';
import { startDaemon, useDaemon } from '../helpers/daemon.js';
import { availableEngines, type TestEngine } from '../helpers/engines.js';

const engines = await availableEngines();
const NET = `pd-nettest-${randomBytes(3).toString('hex')}`;
const configFile = (dir: string) => {
  const path = join(dir, 'pocketdockd.yaml');
  writeFileSync(path, `network:\n  name: ${NET}\n  blockLinkLocal: true\n  blockHost: true\n`);
  return path;
};
const on = useDaemon({ args: ['--config', configFile(mkdtempSync(join(tmpdir(), 'pd-net-')))] });
const off = useDaemon();
const made: { engine: TestEngine; c: Container }[] = [];

afterAll(async () => {
  await Promise.all(made.map(({ c }) => c.shutdown({ force: true }).catch(() => undefined)));
  for (const e of engines)
    await e.docker
      .getNetwork(NET)
      .remove()
      .catch(() => undefined);
});

/** Every rule of the filter table, as iptables prints them. */
const rules = (): string[] => execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' }).split('\n');
/** The jumps into a pocketdock chain from packets coming in on `bridge`. */
const jumpsFrom = (bridge: string) => rules().filter((r) => r.includes(` -i ${bridge} `) && /-j POCKETDOCK-/.test(r));
const chainOf = (jump: string) => /-j (POCKETDOCK-\S+)/.exec(jump)![1]!;
const bridgeOf = async (e: TestEngine) =>
  ((await e.docker.getNetwork(NET).inspect()) as { Labels: Record<string, string> }).Labels['pocketdock.bridge']!;

interface Listener {
  port: number;
  /** Addresses that connected. */
  readonly from: string[];
  server: Server;
}

async function listen(host: string): Promise<Listener> {
  const from: string[] = [];
  const server = createServer((s) => {
    from.push(s.remoteAddress ?? '');
    // The probe hangs up as soon as it is connected.
    s.on('error', () => undefined);
    s.end('hello\n');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return { port: (server.address() as { port: number }).port, from, server };
}

/** connect_ex from inside the sandbox: 0 when the connection was made, else the errno. */
async function connectFrom(c: Container, host: string, port: number): Promise<number> {
  const r = await c.run(`python3 -c "import socket; s = socket.socket(); s.settimeout(30); print(s.connect_ex(('${host}', ${port})))"`, {
    timeout: 60,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

const gatewayOf = async (e: TestEngine, c: Container) => {
  const info = await e.docker.getContainer(c.name).inspect();
  return Object.values(info.NetworkSettings.Networks).find((n) => n.Gateway)!.Gateway;
};

/** An address of this machine outside the engines' bridges (eth0's), if it has one. */
const hostAddress = Object.entries(networkInterfaces())
  .filter(([name]) => !/^(docker|br-|pd-|podman|veth|cni|lo)/.test(name))
  .flatMap(([, addrs]) => addrs ?? [])
  .find((a) => a.family === 'IPv4' && !a.internal)?.address;

describe.each(engines)('on $name', (e) => {
  it('a host listener on 0.0.0.0 and on the gateway answers a sandbox without the option, and refuses one with it', async () => {
    for (const [suite, blocked] of [
      [off, false],
      [on, true],
    ] as const) {
      const c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
      made.push({ engine: e, c });
      const gateway = await gatewayOf(e, c);
      const any = await listen('0.0.0.0');
      const atGateway = await listen(gateway);
      try {
        const targets: [string, Listener][] = [
          [gateway, any],
          [gateway, atGateway],
          ...(hostAddress ? [[hostAddress, any] as [string, Listener]] : []),
        ];
        for (const [host, l] of targets) {
          const code = await connectFrom(c, host, l.port);
          if (blocked) expect(code, `${host}:${l.port}`).not.toBe(0);
          else expect(code, `${host}:${l.port}`).toBe(0);
        }
        if (blocked) expect([...any.from, ...atGateway.from]).toEqual([]);
        if (blocked) expect(Object.keys((await e.docker.getContainer(c.name).inspect()).NetworkSettings.Networks)).toEqual([NET]);
      } finally {
        any.server.close();
        atGateway.server.close();
      }
    }
  });

  it("lists the daemon's chain for its bridge while it runs: link-local and host addresses refused, replies let through", async () => {
    const jumps = jumpsFrom(await bridgeOf(e));
    expect(jumps.map((j) => j.split(' ')[1]).sort()).toEqual(['FORWARD', 'INPUT']);
    const chain = chainOf(jumps[0]!);
    const own = rules().filter((r) => r.startsWith(`-A ${chain} `));
    expect(own[0]).toMatch(/--ctstate RELATED,ESTABLISHED -j RETURN/);
    expect(own.some((r) => /-d 169\.254\.0\.0\/16 -j REJECT/.test(r))).toBe(true);
    expect(own.some((r) => /-m addrtype --dst-type LOCAL -j REJECT/.test(r))).toBe(true);
  });
});

describe('the rules belong to the daemon', () => {
  it('are gone when it stops, and a SIGKILLed daemon’s are replaced by the next start on its state dir, not doubled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-net-kill-'));
    const args = ['--config', configFile(dir)];
    const first = await startDaemon({ dir, args });
    const chain = chainName(dir);
    const mine = () => rules().filter((r) => r.includes(chain));
    const installed = mine().length;
    expect(installed).toBeGreaterThanOrEqual(5);

    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    expect(mine()).toHaveLength(installed);

    const second = await startDaemon({ dir, args });
    expect(mine()).toHaveLength(installed);
    await second.stop();
    expect(mine()).toEqual([]);
  });
});
