// @pocketdock/daemon — pocketdockd as a library: start a daemon in-process (tests, embedding).
export { defaultConfig, parseDaemonArgs, type DaemonConfig } from './config.js';
export { startDaemon, type RunningDaemon } from './daemon.js';
export { createLogger } from './log.js';
