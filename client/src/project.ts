/**
 * Projects on the caller's file system: finding and initialising `.pocketdock/pocketdock.yaml`,
 * reading it, and choosing the engine socket in the reference's precedence:
 * explicit argument > POCKETDOCK_SOCKET > project config > the daemon's auto-detection.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import {
  PROJECT_DEFAULTS,
  PROJECT_DIR,
  PROJECT_FILE,
  ProjectConfigError,
  parseProjectConfig,
  projectConfigDocument,
  type ProjectConfig,
} from '@pocketdock/protocol';
import { InvalidParams } from './errors.js';

const configPath = (root: string) => join(root, PROJECT_DIR, PROJECT_FILE);

/** Walks up from `start` (default: cwd) to the first directory holding .pocketdock/pocketdock.yaml. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(configPath(dir))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Writes .pocketdock/pocketdock.yaml under `path` (default: cwd), keeping an existing one; returns the root. */
export async function initProject(path: string = process.cwd(), opts: { projectName?: string } = {}): Promise<string> {
  const root = resolve(path);
  const file = configPath(root);
  if (existsSync(file)) return root;
  await mkdir(dirname(file), { recursive: true });
  const config: ProjectConfig = { ...PROJECT_DEFAULTS, projectName: opts.projectName ?? basename(root) };
  await writeFile(file, stringify(projectConfigDocument(config)));
  return root;
}

/** The project's config with defaults filled in; InvalidParams names the file, the line and the key. */
export async function readProjectConfig(root: string): Promise<ProjectConfig> {
  const file = configPath(root);
  try {
    return parseProjectConfig(await readFile(file, 'utf8'), file, parseYaml);
  } catch (err) {
    // The message names the file, the line and the key: "/p/.pocketdock/pocketdock.yaml:3: max_log_size …".
    const message = err instanceof ProjectConfigError ? err.message : `${file}: ${(err as Error).message}`;
    throw new InvalidParams(message, { field: err instanceof ProjectConfigError ? err.field : file, detail: message });
  }
}

/** The engine socket a call should name, or undefined to leave it to the daemon. */
export function engineSocket(
  explicit: string | undefined,
  config: ProjectConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return explicit ?? (env.POCKETDOCK_SOCKET || undefined) ?? config?.socket ?? undefined;
}

export interface ProjectContext {
  root: string | undefined;
  config: ProjectConfig | undefined;
}

/**
 * The project a call works in: `explicitRoot`, else the one around the cwd when the daemon is
 * local (a remote daemon cannot write to this machine's project).
 */
export async function projectContext(explicitRoot: string | undefined, localDaemon: boolean): Promise<ProjectContext> {
  const root = explicitRoot !== undefined ? resolve(explicitRoot) : localDaemon ? findProjectRoot() : undefined;
  return { root, config: root && existsSync(configPath(root)) ? await readProjectConfig(root) : undefined };
}
