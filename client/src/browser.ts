// @pocketdock/client/browser — the client's platform-neutral proxies over the browser's WebSocket.
export { BrowserTransport } from './browser-transport.js';
export type { NotificationListener, RpcTransport } from './channel.js';
export { ExecStream, StartingExecStream, type ExecChunk, type Offsets } from './exec-stream.js';
export { Process, type FollowOptions } from './process.js';
export { Session } from './session.js';
export { Terminal, type TerminalOptions } from './terminal.js';
export * from './errors.js';
export { putTransfer, transferUrl } from './browser-transfer.js';
