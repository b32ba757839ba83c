// @pocketdock/client — connect() to a daemon; Container proxies; the reference's module functions.
import { VERSION } from '@pocketdock/protocol';
import { sharedClient, type CreateContainerOptions } from './client.js';
import type { Container } from './container.js';

export {
  connect,
  PocketDock,
  type CreateContainerOptions,
  type DoctorOptions,
  type EngineOptions,
  type ResumeOptions,
  type ScopeOptions,
} from './client.js';
export { daemonCommand, daemonLogPath, type ConnectOptions } from './connect.js';
export type { ReconnectOptions } from './reconnect.js';
export type { ConnectionEvent, ConnectionEvents } from './transport.js';
export { Container, type BlockingRunOptions, type DetachRunOptions, type RunOptions, type StreamRunOptions } from './container.js';
export { ExecStream, StartingExecStream, type ExecChunk, type Offsets } from './exec-stream.js';
export { Process, type FollowOptions } from './process.js';
export { Session, type SendAndWaitOptions, type SessionOutputCallback } from './session.js';
export { Terminal, type TerminalOptions } from './terminal.js';
export type { ExitCallback, OutputCallback } from './callbacks.js';
export type { BufferSnapshot, ExecState, SessionInfo, StreamChunk } from '@pocketdock/protocol';
export * from './errors.js';
export type { BuildImagesOptions, ImageArchiveOptions } from './images.js';
export type { ImageBuildResult, ImageProgress, ImportedImage } from '@pocketdock/protocol';
export type { Progress, PullResult, TransferOptions } from './files.js';
export * from './lifecycle.js';
export { findProjectRoot, initProject } from './project.js';
export {
  instanceFiles,
  parseHistoryLine,
  readHistory,
  readInstanceLogs,
  type HistoryEntry,
  type InstanceFiles,
  type InstanceFilter,
  type InstanceLog,
} from './project-logs.js';
export type { ContainerHandle, ContainerInfo, ContainerListItem, DoctorReport, ExecResult, ProfileInfo } from '@pocketdock/protocol';

/** The client library's version. */
export { VERSION };

/** Creates and starts a sandbox on the default daemon (started in the background if needed). */
export async function createNewContainer(opts: CreateContainerOptions = {}): Promise<Container> {
  return (await sharedClient()).createNewContainer(opts);
}

/** The client library's version, as the reference's get_version(). */
export function getVersion(): string {
  return VERSION;
}
