/** Raw JSON-RPC over HTTP, as a client in any language would send it: POST /rpc on the Unix socket or TCP. */
import { request } from 'node:http';

export interface RawTarget { socketPath?: string; port?: number; headers?: Record<string, string> }

export function postRpc(target: RawTarget, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({
      ...(target.socketPath ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port }),
      path: '/rpc', method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.once('error', reject);
    req.end(body);
  });
}
