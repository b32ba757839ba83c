/** Every method's handler, gathered from one file per concern. */
import { containerHandlers } from './container.js';
import { daemonHandlers } from './daemon.js';
import { execHandlers } from './exec.js';
import { fileHandlers } from './file.js';
import { imageHandlers } from './image.js';
import { profileHandlers } from './profile.js';
import { projectHandlers } from './project.js';
import { sessionHandlers } from './session.js';
import { terminalHandlers } from './terminal.js';
import type { Handlers, Services } from './types.js';

export function createHandlers(services: Services): Handlers {
  return {
    ...daemonHandlers(services),
    ...containerHandlers(services),
    ...execHandlers(services),
    ...fileHandlers(services),
    ...imageHandlers(services),
    ...profileHandlers(services),
    ...projectHandlers(services),
    ...sessionHandlers(services),
    ...terminalHandlers(services),
  };
}

export type { Handlers, HandlersFor, Services } from './types.js';
