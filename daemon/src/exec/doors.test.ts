import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../engine/index.js';
import { createLogger } from '../log.js';
import { DOOR_INSIDE, Doors, clientBinds } from './doors.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function doors(): { doors: Doors; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'pd-doors-'));
  roots.push(root);
  return { doors: new Doors(join(root, 'doors'), createLogger('silent')), root };
}

/** What the engine would say of a container created from `request`'s mounts. */
const inspectOf = (id: string, dir: string) =>
  ({ Id: id, Mounts: [{ Type: 'bind', Source: dir, Destination: DOOR_INSIDE, RW: false }] }) as unknown as ContainerInspect;

/** Connects to the socket the agent would, seen from the host; resolves once connected. */
function dial(dir: string, inside: string): Promise<Socket> {
  const path = join(dir, inside.slice(DOOR_INSIDE.length + 1));
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s)).once('error', reject);
  });
}

const closed = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('Doors', () => {
  it('gives each create a directory of its own, mounted read-only, and removes it when the engine refused the create', async () => {
    const { doors: d } = doors();
    const a = await d.fit({ name: 'a', HostConfig: { Mounts: [{ Type: 'tmpfs', Source: '', Target: '/x' }] } });
    const b = await d.fit({ name: 'b' });
    const [tmpfs, mount] = a.request.HostConfig!.Mounts!;
    expect(tmpfs).toEqual({ Type: 'tmpfs', Source: '', Target: '/x' });
    expect(mount).toMatchObject({ Type: 'bind', Target: DOOR_INSIDE, ReadOnly: true });
    expect(b.request.HostConfig!.Mounts![0]!.Source).not.toBe(mount!.Source);
    expect(statSync(mount!.Source!).isDirectory()).toBe(true);
    await a.created(undefined);
    expect(existsSync(mount!.Source!)).toBe(false);
  });

  it('hands over the connection that says the launch token, with what followed it, and ends the others', async () => {
    const { doors: d } = doors();
    const fitted = await d.fit({ name: 'c' });
    const dir = fitted.request.HostConfig!.Mounts![0]!.Source!;
    await fitted.created('c1');
    const door = (await d.open(inspectOf('c1', dir)))!;
    const [inside, token] = door.args;
    expect(inside.startsWith(`${DOOR_INSIDE}/`)).toBe(true);
    const socketFile = join(dir, inside.slice(DOOR_INSIDE.length + 1));
    // The sandbox's user may be anyone: the socket lets everyone connect, the token decides.
    expect(statSync(socketFile).mode & 0o777).toBe(0o666);
    const got = new Promise<{ socket: Socket; rest: Buffer }>((resolve) => door.onOpen((socket, rest) => resolve({ socket, rest })));

    const impostor = await dial(dir, inside);
    impostor.write('0'.repeat(token.length));
    await closed(impostor);
    const silent = await dial(dir, inside);

    const agent = await dial(dir, inside);
    agent.write(`${token}frame`);
    const { socket, rest } = await got;
    expect(rest.toString()).toBe('frame');
    // Once the agent is in, the door closes: its socket file goes, and so do connections still greeting.
    await closed(silent);
    expect(readdirSync(dir)).toEqual([]);
    const echoed = new Promise<string>((resolve) => agent.once('data', (b: Buffer) => resolve(b.toString())));
    socket.resume();
    socket.write('ready');
    expect(await echoed).toBe('ready');
    agent.destroy();
    socket.destroy();
  });

  it('opens no door for a container without one, or whose directory is gone', async () => {
    const { doors: d, root } = doors();
    expect(await d.open({ Id: 'x', Mounts: [] } as unknown as ContainerInspect)).toBeUndefined();
    expect(await d.open(inspectOf('y', join(root, 'gone')))).toBeUndefined();
  });

  it('removes the directory of a removed container', async () => {
    const { doors: d } = doors();
    const fitted = await d.fit({ name: 'r' });
    const dir = fitted.request.HostConfig!.Mounts![0]!.Source!;
    await fitted.created('r1');
    d.removed('r1');
    expect(existsSync(dir)).toBe(false);
  });

  it("leaves the door out of an inspect's binds, where Podman lists it", () => {
    const binds = ['/home/u/data:/data', `/var/lib/pocketdock/doors/ab12:${DOOR_INSIDE}:ro,rprivate,rbind`, '/srv:/srv:ro'];
    expect(clientBinds(binds)).toEqual(['/home/u/data:/data', '/srv:/srv:ro']);
    expect(clientBinds(undefined)).toEqual([]);
  });
});
