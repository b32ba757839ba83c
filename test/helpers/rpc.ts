/**
 * Raw HTTP, as a client in any language would send it, on the Unix socket or TCP: JSON-RPC as
 * POST /rpc, and transfer bodies as PUT or GET /transfers/<id>.
 */
import { request } from 'node:http';

export interface RawTarget {
  socketPath?: string;
  port?: number;
  headers?: Record<string, string>;
  /** Default /rpc. */ path?: string;
}

/**
 * Where `target` is, on a connection of the request's own: Node's global agent keeps connections
 * alive, and one the daemon closes as it idles breaks the next request sent on it (write EPIPE).
 */
const endpoint = (target: RawTarget) => ({
  ...(target.socketPath ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port }),
  agent: false,
});

export function postRpc(target: RawTarget, body: string | Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...endpoint(target),
        path: target.path ?? '/rpc',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** One request on the transfer channel: `body` streamed as the PUT body (none for GET and a local transfer's POST); answers the status and the whole response body. */
export function transferRequest(
  target: RawTarget,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: Buffer,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...endpoint(target),
        path,
        method,
        headers: { ...target.headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
        // A body broken off short (the daemon gave up past the headers) is an error, never a whole answer.
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
