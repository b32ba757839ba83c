/** Errors and confirmations the page shows in its message area, as readable sentences. */
import { useEffect, useState } from 'preact/hooks';
import { InvalidParams, PocketDockError } from '@pocketdock/client/browser';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  title: string;
  text: string;
}

/** Results fade after a while; errors stay until dismissed. */
const INFO_MS = 6000;

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<(n: Notice[]) => void>();

function publish(next: Notice[]): void {
  notices = next;
  for (const fn of listeners) fn(notices);
}

/** "what you tried" failed: the daemon's typed error becomes its class name and message. */
export function reportError(what: string, err: unknown): void {
  const title = err instanceof PocketDockError ? `${what}: ${err.name}` : what;
  const text = err instanceof Error ? err.message : String(err);
  publish([...notices.slice(-4), { id: nextId++, kind: 'error', title, text }]);
}

export function reportInfo(title: string, text = ''): void {
  const id = nextId++;
  publish([...notices.slice(-4), { id, kind: 'info', title, text }]);
  setTimeout(() => dismiss(id), INFO_MS);
}

export function dismiss(id: number): void {
  publish(notices.filter((n) => n.id !== id));
}

export function useNotices(): Notice[] {
  const [current, set] = useState(notices);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return current;
}

/** Runs an action, reporting its failure instead of throwing. */
export async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    reportError(what, err);
    return undefined;
  }
}

/** Why the daemon refused a form, said of the form's own field where it names one. */
export interface Refusal {
  /** The refused field's input name (the protocol's parameter name). */
  field?: string;
  text: string;
}

/** The daemon's refusal of `form`: "Memory limit must be at least 6m …", the field by its label, not its parameter. */
export function refusal(err: unknown, form: HTMLFormElement): Refusal {
  if (err instanceof InvalidParams && err.detail) {
    const input = form.elements.namedItem(err.field);
    const label = input instanceof HTMLInputElement || input instanceof HTMLSelectElement ? input.labels?.[0]?.textContent?.trim() : '';
    if (label) return { field: err.field, text: `${label} ${err.detail}` };
  }
  return { text: err instanceof Error ? err.message : String(err) };
}
