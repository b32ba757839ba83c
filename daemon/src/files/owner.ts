/**
 * Who files written into a container belong to: the container's configured user (`Config.User`,
 * "name", "uid", "name:group" or "uid:gid"), resolved against the container's own /etc/passwd and
 * /etc/group, so that the sandbox can change what it is given.
 */
import type { TarOwner } from '@pocketdock/protocol/tar';
import type { ContainerInspect, Engine } from '../engine/index.js';
import { DaemonError, fileError } from '../errors.js';
import { readSmallFile } from './source.js';

export type Owner = TarOwner;

export const ROOT: Owner = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

/** Rows of a colon-separated database (passwd, group) as [name, id, primary gid]. */
function rows(text: string): Array<[string, number, number]> {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const f = l.split(':');
      return [f[0] ?? '', Number(f[2]), Number(f[3])];
    });
}

const isId = (s: string) => /^[0-9]+$/.test(s);

/** Resolves `user[:group]` against the text of /etc/passwd and /etc/group. */
export function parseOwner(spec: string, passwd: string, group: string): Owner | string {
  const [user = '', grp] = spec.split(':');
  const users = rows(passwd);
  const byUser = users.find(([name, uid]) => (isId(user) ? uid === Number(user) : name === user));
  if (!byUser && !isId(user)) return `user "${user}" is not in the container's /etc/passwd`;
  const uid = byUser ? byUser[1] : Number(user);
  const groups = rows(group);
  let gid: number;
  if (grp === undefined || grp === '') {
    gid = byUser ? byUser[2] : uid;
  } else if (isId(grp)) {
    gid = Number(grp);
  } else {
    const g = groups.find(([name]) => name === grp);
    if (!g) return `group "${grp}" is not in the container's /etc/group`;
    gid = g[1];
  }
  return {
    uid,
    gid,
    uname: byUser?.[0] ?? '',
    gname: groups.find(([, id]) => id === gid)?.[0] ?? '',
  };
}

/**
 * Resolved once per container: its configured user is fixed at creation (a recreated container
 * has a new id), and each read through the archive API costs an engine round trip (~50 ms on
 * Docker) that every small write would otherwise pay again. Kept until the daemon removes the container.
 */
const resolved = new Map<string, Owner>();
const MAX_RESOLVED = 1024;

/** The container was removed: its owner is not needed again. */
export function forgetOwner(containerId: string): void {
  resolved.delete(containerId);
}

export async function containerOwner(engine: Engine, inspect: ContainerInspect): Promise<Owner> {
  const spec = inspect.Config.User ?? '';
  if (spec === '' || spec === 'root' || spec === '0' || spec === '0:0') return ROOT;
  const known = resolved.get(inspect.Id);
  if (known) return known;
  const [user = '', group = ''] = spec.split(':');
  const read = async (path: string, needed: boolean) =>
    needed
      ? (
          await readSmallFile(engine, inspect.Id, path).catch((err: unknown) => {
            if (err instanceof DaemonError && err.type === 'FileNotFound') return Buffer.alloc(0);
            throw err;
          })
        ).toString('utf8')
      : '';
  // /etc/group is only needed to turn a group name into its id.
  const [passwd, groups] = await Promise.all([
    read('/etc/passwd', !(isId(user) && isId(group))),
    read('/etc/group', group !== '' && !isId(group)),
  ]);
  const owner = parseOwner(spec, passwd, groups);
  if (typeof owner === 'string') throw fileError(inspect.Id, '/etc/passwd', owner);
  if (resolved.size >= MAX_RESOLVED) resolved.delete(resolved.keys().next().value!);
  resolved.set(inspect.Id, owner);
  return owner;
}
