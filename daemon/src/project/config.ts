/** A project root named by a client: checked, and its pocketdock.yaml read (cached until the file changes). */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { PROJECT_DIR, PROJECT_FILE, ProjectConfigError, parseProjectConfig, type ProjectConfig } from '@pocketdock/protocol';
import { parseYaml } from '../cjs.js';
import { DaemonError, invalidParams } from '../errors.js';

export const projectFile = (root: string): string => join(root, PROJECT_DIR, PROJECT_FILE);

const cache = new Map<string, { mtimeMs: number; config: ProjectConfig }>();

/**
 * The config of the project at `root`. The daemon writes under a root only when this succeeds:
 * an absolute path holding .pocketdock/pocketdock.yaml, nothing else.
 */
export async function readProjectConfig(root: string, field = 'projectRoot'): Promise<ProjectConfig> {
  if (!isAbsolute(root) || normalize(root) !== root.replace(/(.)\/+$/, '$1')) {
    throw invalidParams(field, `must be an absolute, normalised path (got "${root}")`);
  }
  const file = projectFile(root);
  let mtimeMs: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a file');
    mtimeMs = st.mtimeMs;
  } catch {
    throw new DaemonError(
      'ProjectNotInitialized',
      `${root} is not a pocketdock project: no ${PROJECT_DIR}/${PROJECT_FILE} (run initProject)`,
      { path: root },
    );
  }
  const hit = cache.get(file);
  if (hit?.mtimeMs === mtimeMs) return hit.config;
  let config: ProjectConfig;
  try {
    config = parseProjectConfig(await readFile(file, 'utf8'), file, parseYaml);
  } catch (err) {
    // The message names the file, the line and the key: "/p/.pocketdock/pocketdock.yaml:3: max_log_size …".
    const detail = err instanceof ProjectConfigError ? err.message : `${file}: ${(err as Error).message}`;
    throw new DaemonError('InvalidParams', detail, { field, detail });
  }
  cache.set(file, { mtimeMs, config });
  return config;
}
