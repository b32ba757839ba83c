/**
 * The live list of sandboxes: container.list once, then every container.changed notification the
 * daemon pushes (created, started, stopped, removed — by any client) applied to it, so the page
 * never re-lists to stay current.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RpcTransport } from '@pocketdock/client/browser';
import type { ContainerChanged, ContainerListItem } from '@pocketdock/protocol';
import { reportError } from './notices.js';

export type Sandbox = ContainerListItem;

/** Its processes are there: running, or paused for the moment a snapshot takes (its terminal and commands live on). */
export const isUp = (s: Sandbox): boolean => s.status === 'running' || s.status === 'paused';

export function useSandboxes(transport: RpcTransport): Sandbox[] | undefined {
  const [list, setList] = useState<Sandbox[]>();
  useEffect(() => {
    let current: Sandbox[] | undefined;
    const early: ContainerChanged[] = [];
    const apply = (change: ContainerChanged) => {
      if (!current) return void early.push(change);
      const rest = current.filter((c) => c.id !== change.id);
      current = change.container ? sortByName([...rest, change.container]) : rest;
      setList(current);
    };
    const stop = transport.on('container.changed', apply);
    (async () => {
      await transport.call('container.watch', {});
      current = sortByName(await transport.call('container.list', {}));
      // What changed while the list was being made is newer than the list.
      for (const p of early.splice(0)) apply(p);
      setList(current);
    })().catch((err: unknown) => reportError('Listing sandboxes failed', err));
    return stop;
  }, [transport]);
  return list;
}

function sortByName(list: Sandbox[]): Sandbox[] {
  return list.sort((a, b) => a.name.localeCompare(b.name));
}
