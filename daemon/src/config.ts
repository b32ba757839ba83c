/**
 * The daemon's configuration: defaults, then the yaml file, then flags (flags win).
 * Every key of the file has the flag's name in camelCase.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, LOG_LEVELS, defaultSocketPath, defaultStateDir, type LogLevel } from '@pocketdock/protocol';
import { parseYaml } from './cjs.js';
import { DEFAULT_SANDBOX, type SandboxConfig } from './container/hardening.js';
import { DEFAULT_NETWORK, NETWORK_NAME, type NetworkConfig } from './network/config.js';

export type { LogLevel };

export interface Limits {
  /** Largest JSON-RPC message accepted, in bytes (HTTP body and WebSocket frame). */
  maxMessageBytes: number;
  /** Most requests in one batch. */
  maxBatch: number;
  /** Most requests one connection may have in flight. */
  maxPending: number;
  /** Deepest nesting of arrays and objects in a message. */
  maxDepth: number;
  /**
   * Most bytes a blocking run (container.run) may keep per stream: its result is one JSON string, and
   * a control byte takes six characters there (V8's strings end near 512 M characters).
   */
  maxRunOutput: number;
  /** Most bytes every exec's buffers together may hold (ring buffers, and what blocking runs keep). */
  maxBufferedBytes: number;
  /** Most container.watchStats subscriptions (connection × container) the daemon serves at once. */
  maxStatsWatches: number;
  /** Most running execs (runs, streams, detached processes) one client may have started (rpc/client-caps.ts). */
  maxExecsPerClient: number;
  /** Most open sessions one client may have opened. */
  maxSessionsPerClient: number;
  /** Most running terminals one client may have opened. */
  maxTerminalsPerClient: number;
  /** Most open uploads and downloads (files and images) one client may have started. */
  maxTransfersPerClient: number;
}

/** One warm pool: how many ready containers to keep, and how long one may wait before it is replaced. */
export interface PoolEntry {
  size: number;
  maxIdleSeconds: number;
}

/** Most ready containers one pool keeps (each is a running sandbox). */
export const MAX_POOL_SIZE = 64;
export const DEFAULT_POOL_IDLE_SECONDS = 600;

export interface DaemonConfig {
  socket: string;
  /** TCP port on 127.0.0.1; 0 = no TCP listener. */
  port: number;
  stateDir: string;
  /** Engine socket to use by default; undefined = search in the reference's order. */
  engineSocket: string | undefined;
  logLevel: LogLevel;
  /** Origins (besides the daemon's own) allowed to open the WebSocket from a browser. */
  origins: string[];
  /** Whether token (TCP) clients may use every host-affecting option, as Unix-socket clients do (docs/security.md). */
  allowHostOptionsOverTcp: boolean;
  /** Host directories token (TCP) clients may mount as volumes or use as projectRoot, without allowHostOptionsOverTcp. */
  tcpHostPaths: string[];
  /** Engine sockets, besides the default engine, token (TCP) clients may name in socketPath. */
  tcpEngines: string[];
  /** Engine sockets the daemon may use besides the default and the search order's (socketPath names nothing else). */
  engines: string[];
  /** What every sandbox gets: limits, hardening, runtime (container/hardening.ts, docs/security.md). */
  sandbox: SandboxConfig;
  /** Run commands through an agent in each container (false: every command is an engine exec). */
  agent: boolean;
  limits: Limits;
  /** How long a non-persistent container outlives its holder's last connection or call. */
  leaseGraceSeconds: number;
  /** How long an engine may take to answer a quick call (create, inspect, exec, …), or keep a file transfer still, before it fails typed. */
  engineTimeoutSeconds: number;
  /** The network sandboxes join, and what the daemon's firewall rules keep them from (network/, docs/security.md). */
  network: NetworkConfig;
  /** Warm pools by profile name or image (pool/warm.ts). */
  pool: Record<string, PoolEntry>;
}

export class ConfigError extends Error {}

export const USAGE = `usage: pocketdockd [options]
  --socket PATH         Unix socket to listen on
  --port N              TCP port on 127.0.0.1 (0 = none; default ${DEFAULT_PORT})
  --state-dir DIR       where the token, logs and engine log live
  --engine-socket PATH  container engine socket (default: search)
  --log-level L         fatal|error|warn|info|debug|trace|silent
  --no-agent            run every command as an engine exec, without the in-container agent
  --config FILE         yaml file with the same keys in camelCase
  --help, --version`;

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const pathEnv = { env, uid: process.getuid?.() ?? 1000, home: homedir() };
  return {
    socket: defaultSocketPath(pathEnv),
    port: DEFAULT_PORT,
    stateDir: defaultStateDir(pathEnv),
    engineSocket: env.POCKETDOCK_SOCKET || undefined,
    logLevel: 'info',
    origins: [],
    allowHostOptionsOverTcp: false,
    tcpHostPaths: [],
    tcpEngines: [],
    engines: [],
    sandbox: { ...DEFAULT_SANDBOX },
    agent: true,
    limits: {
      maxMessageBytes: 64 * 1024 * 1024,
      maxBatch: 100,
      maxPending: 1000,
      maxDepth: 64,
      maxRunOutput: 16 * 1024 * 1024,
      maxBufferedBytes: 1024 * 1024 * 1024,
      maxStatsWatches: 256,
      maxExecsPerClient: 256,
      maxSessionsPerClient: 64,
      maxTerminalsPerClient: 64,
      maxTransfersPerClient: 64,
    },
    network: { ...DEFAULT_NETWORK },
    leaseGraceSeconds: 30,
    engineTimeoutSeconds: 30,
    pool: {},
  };
}

export type ParsedArgs = { kind: 'run'; config: DaemonConfig } | { kind: 'help' } | { kind: 'version' };

export function parseDaemonArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        socket: { type: 'string' },
        port: { type: 'string' },
        'state-dir': { type: 'string' },
        'engine-socket': { type: 'string' },
        'log-level': { type: 'string' },
        config: { type: 'string' },
        'no-agent': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const fromFile = values.config ? readConfigFile(values.config) : {};
  const flags: Partial<DaemonConfig> = {
    ...(values.socket !== undefined && { socket: values.socket }),
    ...(values.port !== undefined && { port: parsePort(values.port, '--port') }),
    ...(values['state-dir'] !== undefined && { stateDir: values['state-dir'] }),
    ...(values['engine-socket'] !== undefined && { engineSocket: values['engine-socket'] }),
    ...(values['log-level'] !== undefined && { logLevel: parseLogLevel(values['log-level'], '--log-level') }),
    ...(values['no-agent'] && { agent: false }),
  };
  return { kind: 'run', config: mergeConfig(defaultConfig(env), fromFile, flags) };
}

function mergeConfig(base: DaemonConfig, ...layers: Partial<DaemonConfig>[]): DaemonConfig {
  return layers.reduce<DaemonConfig>(
    (acc, layer) => ({
      ...acc,
      ...layer,
      limits: { ...acc.limits, ...layer.limits },
      sandbox: { ...acc.sandbox, ...layer.sandbox },
      network: { ...acc.network, ...layer.network },
    }),
    base,
  );
}

export function readConfigFile(path: string): Partial<DaemonConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`config ${path}: expected a mapping at the top`);
  return validateFileConfig(raw as Record<string, unknown>, path);
}

function validateFileConfig(raw: Record<string, unknown>, path: string): Partial<DaemonConfig> {
  const out: Partial<DaemonConfig> = {};
  const str = (key: string) => {
    const v = raw[key];
    if (typeof v !== 'string' || v === '') throw new ConfigError(`config ${path}: ${key} must be a non-empty string`);
    return v;
  };
  for (const key of Object.keys(raw)) {
    switch (key) {
      case 'socket':
        out.socket = str(key);
        break;
      case 'stateDir':
        out.stateDir = str(key);
        break;
      case 'engineSocket':
        out.engineSocket = str(key);
        break;
      case 'port':
        out.port = parsePort(raw.port, `${path}: port`);
        break;
      case 'logLevel':
        out.logLevel = parseLogLevel(raw.logLevel, `${path}: logLevel`);
        break;
      case 'origins':
        out.origins = strings(raw, key, path);
        break;
      case 'tcpHostPaths':
        out.tcpHostPaths = absolutePaths(raw, key, path);
        break;
      case 'tcpEngines':
        out.tcpEngines = absolutePaths(raw, key, path);
        break;
      case 'engines':
        out.engines = absolutePaths(raw, key, path);
        break;
      case 'allowHostOptionsOverTcp':
      case 'agent':
        if (typeof raw[key] !== 'boolean') throw new ConfigError(`config ${path}: ${key} must be true or false`);
        out[key] = raw[key] as boolean;
        break;
      case 'limits':
        out.limits = parseLimits(raw.limits, path) as Limits;
        break;
      case 'sandbox':
        out.sandbox = parseSandbox(raw.sandbox, path) as SandboxConfig;
        break;
      case 'network':
        out.network = parseNetwork(raw.network, path) as NetworkConfig;
        break;
      case 'leaseGraceSeconds':
        out.leaseGraceSeconds = parseSeconds(raw[key], `${path}: ${key}`);
        break;
      case 'pool':
        out.pool = parsePool(raw.pool, path);
        break;
      case 'engineTimeoutSeconds':
        out.engineTimeoutSeconds = parseSeconds(raw[key], `${path}: ${key}`);
        break;
      default:
        throw new ConfigError(`config ${path}: unknown key ${key}`);
    }
  }
  return out;
}

function strings(raw: Record<string, unknown>, key: string, path: string): string[] {
  const v = raw[key];
  if (!Array.isArray(v) || !v.every((o) => typeof o === 'string'))
    throw new ConfigError(`config ${path}: ${key} must be a list of strings`);
  return v as string[];
}

function absolutePaths(raw: Record<string, unknown>, key: string, path: string): string[] {
  const list = strings(raw, key, path);
  if (!list.every((p) => p.startsWith('/'))) throw new ConfigError(`config ${path}: ${key} must be a list of absolute paths`);
  return list;
}

const LIMIT_KEYS: readonly (keyof Limits)[] = [
  'maxMessageBytes',
  'maxBatch',
  'maxPending',
  'maxDepth',
  'maxRunOutput',
  'maxBufferedBytes',
  'maxStatsWatches',
  'maxExecsPerClient',
  'maxSessionsPerClient',
  'maxTerminalsPerClient',
  'maxTransfersPerClient',
];

function parseLimits(raw: unknown, path: string): Partial<Limits> {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`config ${path}: limits must be a mapping`);
  const out: Partial<Limits> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!LIMIT_KEYS.includes(k as keyof Limits)) throw new ConfigError(`config ${path}: unknown key limits.${k}`);
    if (!Number.isInteger(v) || (v as number) < 1) throw new ConfigError(`config ${path}: limits.${k} must be a positive integer`);
    out[k as keyof Limits] = v as number;
  }
  return out;
}

const SIZE = /^([0-9]+(\.[0-9]+)?[bkmg]?)?$/i;

function parseSandbox(raw: unknown, path: string): Partial<SandboxConfig> {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`config ${path}: sandbox must be a mapping`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const bad = (what: string) => new ConfigError(`config ${path}: sandbox.${k} must be ${what}`);
    switch (k) {
      case 'pidsLimit':
      case 'nofile':
      case 'nproc':
        if (!Number.isInteger(v) || (v as number) < 1) throw bad('a positive integer');
        break;
      case 'cpuPercent':
        if (typeof v !== 'number' || v < 0 || v > 100) throw bad('a number 0-100 (0 = no limit)');
        break;
      case 'memory':
      case 'logMaxSize':
        if (typeof v !== 'string' || !SIZE.test(v) || (k === 'logMaxSize' && v === '')) throw bad('a size like "1g" or "10m"');
        break;
      case 'runtime':
        if (typeof v !== 'string') throw bad('a runtime name like runsc');
        break;
      default:
        throw new ConfigError(`config ${path}: unknown key sandbox.${k}`);
    }
    out[k] = v;
  }
  return out as Partial<SandboxConfig>;
}

function parseNetwork(raw: unknown, path: string): Partial<NetworkConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config ${path}: network must be a mapping`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'blockLinkLocal' || k === 'blockHost') {
      if (typeof v !== 'boolean') throw new ConfigError(`config ${path}: network.${k} must be true or false`);
    } else if (k === 'name') {
      if (typeof v !== 'string' || !NETWORK_NAME.test(v))
        throw new ConfigError(`config ${path}: network.name must be a network name (letters, digits, _ . -)`);
    } else throw new ConfigError(`config ${path}: unknown key network.${k}`);
    out[k] = v;
  }
  return out as Partial<NetworkConfig>;
}

/** `pool: { minimal-python: 4, "my/image:tag": { size: 2, maxIdleSeconds: 300 } }` */
function parsePool(raw: unknown, path: string): Record<string, PoolEntry> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`config ${path}: pool must be a mapping of profile or image to a size`);
  const out: Record<string, PoolEntry> = {};
  for (const [key, v] of Object.entries(raw)) {
    const entry = typeof v === 'number' ? { size: v } : v;
    if (typeof entry !== 'object' || entry === null)
      throw new ConfigError(`config ${path}: pool.${key} must be a size or { size, maxIdleSeconds }`);
    const { size, maxIdleSeconds, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ConfigError(`config ${path}: unknown key pool.${key}.${unknown}`);
    if (!Number.isInteger(size) || (size as number) < 0 || (size as number) > MAX_POOL_SIZE) {
      throw new ConfigError(`config ${path}: pool.${key} size must be an integer 0-${MAX_POOL_SIZE}`);
    }
    out[key] = {
      size: size as number,
      maxIdleSeconds:
        maxIdleSeconds === undefined ? DEFAULT_POOL_IDLE_SECONDS : parseSeconds(maxIdleSeconds, `${path}: pool.${key}.maxIdleSeconds`),
    };
  }
  return out;
}

/** A duration in seconds: positive, at most a day (timers take no more than ~24 days anyway). */
function parseSeconds(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 86_400)
    throw new ConfigError(`${what} must be a number of seconds, more than 0 and at most 86400`);
  return v;
}

function parsePort(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${what} must be a port number 0-65535`);
  return n;
}

function parseLogLevel(v: unknown, what: string): LogLevel {
  if (!LOG_LEVELS.includes(v as LogLevel)) throw new ConfigError(`${what} must be one of ${LOG_LEVELS.join(', ')}`);
  return v as LogLevel;
}
