/**
 * Signing in: the daemon's sign-in link has already put the token in an HttpOnly cookie, which the
 * browser sends with every request to the daemon; the page never sees the token. A plain HTTP call
 * first, because a refused WebSocket handshake does not tell the page why.
 */
import {
  BrowserTransport,
  SocketCommunicationError,
  Unauthorized,
  errorFromWire,
  type RpcTransport,
  type WireError,
} from '@pocketdock/client/browser';

export interface Connected {
  transport: RpcTransport;
  version: string;
  engineSocket: string;
}

const HELLO = { client: '@pocketdock/dashboard' };

export async function connect(): Promise<Connected> {
  const res = await fetch('/rpc', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'daemon.hello', params: HELLO }),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: WireError };
  if (body.error) throw errorFromWire(body.error);
  if (res.status === 401) throw new Unauthorized(`the daemon answered HTTP ${res.status}`);
  if (!res.ok) throw new SocketCommunicationError(`the daemon answered HTTP ${res.status}`);
  const transport = await BrowserTransport.open(new URL('/rpc', location.href.replace(/^http/, 'ws')).href);
  const hello = await transport.call('daemon.hello', HELLO);
  return { transport, version: hello.version, engineSocket: hello.engineSocket };
}
