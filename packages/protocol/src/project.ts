/**
 * The project file `.pocketdock/pocketdock.yaml`: its place, fields and defaults. Read by the client
 * (engine socket, initProject) and the daemon (limits for instance logs), so both agree on one shape.
 * The file uses the reference's snake_case keys; code sees camelCase.
 */
export const PROJECT_DIR = '.pocketdock';
export const PROJECT_FILE = 'pocketdock.yaml';
export const INSTANCES_DIR = 'instances';
/** In an instance dir: one line per command (a HistoryLine), and logs/ of session and process output. */
export const HISTORY_FILE = 'history.jsonl';
export const LOGS_DIR = 'logs';

/** A line of history.jsonl, in the reference's snake_case: written by the daemon, read by the client. */
export interface HistoryLine {
  timestamp: string;
  kind: 'run' | 'session' | 'process';
  command: string;
  exit_code: number;
  duration_ms: number;
  timed_out?: true;
}

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
  /**
   * The level of the daemon's log lines about this project's containers (their creation, commands,
   * sessions, removal), in place of the daemon's own --log-level: one of LOG_LEVELS.
   */
  logLevel: LogLevel;
}

/** pino's levels, least to most severe, and silent. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Python's logging names, as a project file shared with the reference may spell them. */
const PYTHON_LEVELS: Record<string, LogLevel> = { warning: 'warn', critical: 'fatal' };

/** A log_level as written in a project file (any case, Python's names too) → one of LOG_LEVELS. */
export function parseLogLevel(text: string, field = 'log_level'): LogLevel {
  const name = text.trim().toLowerCase();
  const level = PYTHON_LEVELS[name] ?? LOG_LEVELS.find((l) => l === name);
  if (!level) throw new ProjectConfigError(field, `"${text}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
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

/** A project file that cannot be used: `field` is the file's key ("(document)" for the whole), `line` 1-based when known. */
export class ProjectConfigError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    readonly file = `${PROJECT_DIR}/${PROJECT_FILE}`,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${field} ${detail}`);
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
    if (want === 'number' && (!Number.isInteger(v) || (v as number) < 0))
      throw new ProjectConfigError(fileKey, 'must be a whole number ≥ 0');
    out[key] = v;
  }
  const config = out as unknown as ProjectConfig;
  parseSize(config.maxLogSize);
  config.logLevel = parseLogLevel(config.logLevel);
  return config;
}

/** The yaml document for `config`, in the file's own key names. */
export function projectConfigDocument(config: ProjectConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(FILE_KEYS).map(([key, fileKey]) => [fileKey, config[key as keyof ProjectConfig]]));
}

/** The 1-based line where a top-level key is written, or undefined (a flow mapping, say). */
function lineOf(text: string, key: string): number | undefined {
  const at = new RegExp(`^(["']?)${key}\\1[ \t]*:`, 'm').exec(text);
  return at ? text.slice(0, at.index).split('\n').length : undefined;
}

/**
 * The config in a project file's text, by `parse` — a yaml parser (the protocol bundles none).
 * Errors name the file and the line: yaml's for a syntax error, the key's for a bad value.
 */
export function parseProjectConfig(text: string, file: string, parse: (text: string) => unknown): ProjectConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ProjectConfigError('(document)', `is not valid yaml: ${(err as Error).message.split('\n')[0]}`, file, line);
  }
  try {
    return projectConfigFrom(raw);
  } catch (err) {
    if (!(err instanceof ProjectConfigError)) throw err;
    throw new ProjectConfigError(err.field, err.detail, file, lineOf(text, err.field));
  }
}
