/**
 * The project file `.pocketdock/pocketdock.yaml`: its place, fields and defaults. Read by the client
 * (engine socket, initProject) and the daemon (limits for instance logs), so both agree on one shape.
 * The file uses the reference's snake_case keys; code sees camelCase.
 */
export const PROJECT_DIR = '.pocketdock';
export const PROJECT_FILE = 'pocketdock.yaml';
export const INSTANCES_DIR = 'instances';

export interface ProjectConfig {
  projectName: string;
  defaultProfile: string;
  defaultPersist: boolean;
  autoLog: boolean;
  /** Largest size of one log file (and of history.jsonl), e.g. "10MB". */
  maxLogSize: string;
  maxLogsPerInstance: number;
  retentionDays: number;
  /** Engine socket for this project's containers; null = the daemon's default. */
  socket: string | null;
  logLevel: string;
}

export const PROJECT_DEFAULTS: ProjectConfig = {
  projectName: '',
  defaultProfile: 'minimal-python',
  defaultPersist: false,
  autoLog: true,
  maxLogSize: '10MB',
  maxLogsPerInstance: 100,
  retentionDays: 30,
  socket: null,
  logLevel: 'info',
};

const FILE_KEYS: Record<keyof ProjectConfig, string> = {
  projectName: 'project_name',
  defaultProfile: 'default_profile',
  defaultPersist: 'default_persist',
  autoLog: 'auto_log',
  maxLogSize: 'max_log_size',
  maxLogsPerInstance: 'max_logs_per_instance',
  retentionDays: 'retention_days',
  socket: 'socket',
  logLevel: 'log_level',
};

export class ProjectConfigError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`${PROJECT_DIR}/${PROJECT_FILE}: ${field} ${detail}`);
  }
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?)b?\s*$/i;

/** "10MB" → bytes: decimal units as the reference writes them, binary with an "i" ("10MiB"). */
export function parseSize(text: string, field = 'max_log_size'): number {
  const m = SIZE.exec(text);
  if (!m) throw new ProjectConfigError(field, `"${text}" is not a size like "10MB"`);
  const power = ' kmg'.indexOf(m[2]!.toLowerCase() || ' ');
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}

/** Checks a parsed yaml document and fills in defaults; errors name the file key. */
export function projectConfigFrom(raw: unknown): ProjectConfig {
  if (raw === null || raw === undefined) return { ...PROJECT_DEFAULTS };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ProjectConfigError('(document)', 'must be a mapping');
  const doc = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...PROJECT_DEFAULTS };
  for (const [key, fileKey] of Object.entries(FILE_KEYS) as [keyof ProjectConfig, string][]) {
    const v = doc[fileKey];
    if (v === undefined || (v === null && key !== 'socket')) continue;
    const want = key === 'socket' ? 'string' : typeof PROJECT_DEFAULTS[key];
    if (v !== null && typeof v !== want) throw new ProjectConfigError(fileKey, `must be a ${want}`);
    if (want === 'number' && (!Number.isInteger(v) || (v as number) < 0)) throw new ProjectConfigError(fileKey, 'must be a whole number ≥ 0');
    out[key] = v;
  }
  const config = out as unknown as ProjectConfig;
  parseSize(config.maxLogSize);
  return config;
}

/** The yaml document for `config`, in the file's own key names. */
export function projectConfigDocument(config: ProjectConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(FILE_KEYS).map(([key, fileKey]) => [fileKey, config[key as keyof ProjectConfig]]));
}
