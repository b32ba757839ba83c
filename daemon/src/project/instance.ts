/**
 * A project container's instance dir, `<root>/.pocketdock/instances/<name>/`: its metadata file,
 * history.jsonl and logs/. The dir's path is the container's pocketdock.data-path label.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { INSTANCES_DIR, LOGS_DIR, PROJECT_DIR } from '@pocketdock/protocol';
import { parseYaml, stringifyYaml } from '../cjs.js';
import { projectFile } from './config.js';

export const METADATA_FILE = 'instance.yaml';

export interface InstanceMetadata {
  container_id: string;
  name: string;
  image: string;
  project: string;
  created_at: string;
  persist: boolean;
  mem_limit: string | null;
  cpu_percent: number | null;
  /** The engine the container lives on: doctor looks for it there. */
  socket_path: string;
}

export const instancesDir = (root: string): string => join(root, PROJECT_DIR, INSTANCES_DIR);
export const instanceDir = (root: string, name: string): string => join(instancesDir(root), name);

/** The project root of an instance dir, or undefined when `dataPath` is not shaped like one. */
export function rootOfInstance(dataPath: string): string | undefined {
  const instances = dirname(dataPath);
  if (basename(instances) !== INSTANCES_DIR || basename(dirname(instances)) !== PROJECT_DIR) return undefined;
  return dirname(dirname(instances));
}

export async function writeInstance(dataPath: string, meta: InstanceMetadata): Promise<void> {
  await mkdir(join(dataPath, LOGS_DIR), { recursive: true });
  await writeFile(join(dataPath, METADATA_FILE), stringifyYaml(meta));
}

export async function readInstance(dataPath: string): Promise<Partial<InstanceMetadata>> {
  try {
    return (parseYaml(await readFile(join(dataPath, METADATA_FILE), 'utf8')) ?? {}) as Partial<InstanceMetadata>;
  } catch {
    return {};
  }
}

/** Removes an instance dir — only one that sits where instance dirs sit in a real project. */
export async function removeInstance(dataPath: string): Promise<boolean> {
  const root = rootOfInstance(dataPath);
  if (!root) return false;
  try {
    await readFile(projectFile(root));
  } catch {
    return false;
  }
  await rm(dataPath, { recursive: true, force: true });
  return true;
}
