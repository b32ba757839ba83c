/** What handlers are built from, and the shape of a group of them. */
import type { MethodName, ParamsOf, ResultOf } from '@pocketdock/protocol';
import type { Engines } from '../../engine/index.js';
import type { Files } from '../../files/index.js';
import type { Images } from '../../images/index.js';
import type { Lifecycle, Processes, Sandboxes } from '../../sandbox/index.js';
import type { Sessions } from '../../session/index.js';
import type { CallContext } from '../context.js';

export interface Services {
  engines: Engines;
  sandboxes: Sandboxes;
  processes: Processes;
  lifecycle: Lifecycle;
  files: Files;
  images: Images;
  sessions: Sessions;
}

export type HandlersFor<K extends MethodName> = {
  [M in K]: (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Handlers = HandlersFor<MethodName>;
