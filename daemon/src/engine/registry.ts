/** The engines a daemon drives, by socket path: the default one found at start, others on demand. */
import { DaemonError, optionRefused } from '../errors.js';
import { NO_ENGINE_HINT, candidateSockets, findEngineSocket, pingSocket } from './discovery.js';
import type { Logger } from '../log.js';
import { DEFAULT_ANSWER_MS } from './deadline.js';
import { Engine } from './engine.js';

/** The rule a socketPath naming no engine the daemon knows breaks (docs/security.md). */
export const KNOWN_ENGINES_RULE = 'known-engines-only';

export class Engines {
  private readonly bySocket = new Map<string, Engine>();

  /**
   * `allowed`: every socket a call may name — the default, the search order's and the config's. The
   * daemon connects to nothing else: a client naming any Unix socket would have the daemon talk to it.
   */
  private constructor(
    readonly defaultSocket: string,
    private readonly allowed: ReadonlySet<string>,
    private readonly log: Logger,
    private readonly answerMs: number,
  ) {}

  /**
   * Uses `preferred` when given (it must answer), else the first engine of the search order.
   * `answerMs`: how long any engine may take to answer a quick call (deadline.ts).
   */
  static async open(
    preferred: string | undefined,
    log: Logger,
    env: NodeJS.ProcessEnv = process.env,
    extra: readonly string[] = [],
    answerMs = DEFAULT_ANSWER_MS,
  ): Promise<Engines> {
    const socket = preferred ?? (await findEngineSocket(env));
    if (!socket || !(await pingSocket(socket))) {
      throw new DaemonError('PodmanNotRunning', `no container engine answers${socket ? ` on ${socket}` : ''}: ${NO_ENGINE_HINT}`, {
        hint: NO_ENGINE_HINT,
      });
    }
    const engines = new Engines(socket, new Set([socket, ...candidateSockets(env), ...extra]), log, answerMs);
    // Every engine that answers now is known from the start, so that a container on a second engine
    // is found by name after a daemon restart as well as before it.
    for (const other of candidateSockets(env)) if (other !== socket && (await pingSocket(other))) engines.get(other);
    return engines;
  }

  get(socketPath?: string): Engine {
    const socket = socketPath ?? this.defaultSocket;
    if (!this.allowed.has(socket)) {
      throw optionRefused(
        'socketPath',
        KNOWN_ENGINES_RULE,
        `${socket} is not an engine this daemon knows (known: ${this.sockets().join(', ')})`,
      );
    }
    let engine = this.bySocket.get(socket);
    if (!engine) {
      engine = new Engine(socket, this.log, this.answerMs);
      this.bySocket.set(socket, engine);
    }
    return engine;
  }

  /** Every socket a call may name, the default first. */
  sockets(): string[] {
    return [...this.allowed];
  }

  /** The default engine, then every other engine that answered at start or that a call has named. */
  known(): Engine[] {
    const fallback = this.get();
    return [fallback, ...[...this.bySocket.values()].filter((e) => e !== fallback)];
  }
}
