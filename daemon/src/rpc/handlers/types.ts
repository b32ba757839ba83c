/** What handlers are built from, and the shape of a group of them. */
import type { MethodName, ParamsOf, ResultOf } from '@pocketdock/protocol';
import type { Engines } from '../../engine/index.js';
import type { Files } from '../../files/index.js';
import type { Images } from '../../images/index.js';
import type { ContainerWatch, Containers, StatsWatch } from '../../container/index.js';
import type { Processes } from '../../exec/index.js';
import type { Logger } from '../../log.js';
import type { Leases, WarmPool } from '../../pool/index.js';
import type { Sessions } from '../../session/index.js';
import type { ClientCaps } from '../client-caps.js';
import type { CallContext } from '../context.js';

/** Where the daemon listens and keeps its state, and since when (the port is known once the TCP listener is bound). */
export interface Whereabouts {
  stateDir: string;
  port: number | null;
  readonly socket: string;
  readonly startedAt: Date;
  /** The config's limits.maxMessageBytes, which daemon.hello tells clients. */
  readonly maxMessageBytes: number;
}

export interface Services {
  whereabouts: Whereabouts;
  engines: Engines;
  containers: Containers;
  watch: ContainerWatch;
  stats: StatsWatch;
  processes: Processes;
  files: Files;
  images: Images;
  sessions: Sessions;
  leases: Leases;
  pool: WarmPool;
  /** Per-client caps on execs, sessions, terminals and transfers. */
  caps: ClientCaps;
  log: Logger;
}

export type HandlersFor<K extends MethodName> = {
  [M in K]: (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Handlers = HandlersFor<MethodName>;
