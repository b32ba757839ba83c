/** The engines a daemon drives, by socket path: the default one found at start, others on demand. */
import { DaemonError } from '../errors.js';
import { NO_ENGINE_HINT, findEngineSocket, pingSocket } from './discovery.js';
import { Engine } from './engine.js';

export class Engines {
  private readonly bySocket = new Map<string, Engine>();

  private constructor(readonly defaultSocket: string) {}

  /** Uses `preferred` when given (it must answer), else the first engine of the search order. */
  static async open(preferred: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Engines> {
    const socket = preferred ?? (await findEngineSocket(env));
    if (!socket || !(await pingSocket(socket))) {
      throw new DaemonError('PodmanNotRunning',
        `no container engine answers${socket ? ` on ${socket}` : ''}: ${NO_ENGINE_HINT}`, { hint: NO_ENGINE_HINT });
    }
    return new Engines(socket);
  }

  get(socketPath?: string): Engine {
    const socket = socketPath ?? this.defaultSocket;
    let engine = this.bySocket.get(socket);
    if (!engine) {
      engine = new Engine(socket);
      this.bySocket.set(socket, engine);
    }
    return engine;
  }

  /** The default engine, then every other engine a call has named so far. */
  known(): Engine[] {
    const fallback = this.get();
    return [fallback, ...[...this.bySocket.values()].filter((e) => e !== fallback)];
  }
}
