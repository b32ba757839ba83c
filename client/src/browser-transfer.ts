/**
 * The transfer channel from a browser page served by the daemon: the bytes of an upload are the
 * body of `PUT /transfers/<id>`, a download is `GET /transfers/<id>` (a link the browser saves
 * itself). Same origin, so the sign-in cookie goes along as with the WebSocket.
 */
import { TRANSFER_ROUTE, type UploadResult } from '@pocketdock/protocol';
import { SocketCommunicationError, errorFromWire, type WireError } from './errors.js';

/** Where the open download `id` is read: an href for a link with the `download` attribute. */
export function transferUrl(id: string): string {
  return `${TRANSFER_ROUTE}${encodeURIComponent(id)}`;
}

/** Sends `body` (a File from a drop or a file input streams from disk) as the open upload `id`. */
export async function putTransfer(id: string, body: Blob): Promise<UploadResult> {
  const res = await fetch(transferUrl(id), { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
  const answer = (await res.json().catch(() => undefined)) as { error?: WireError } | UploadResult | undefined;
  if (answer && 'error' in answer && answer.error) throw errorFromWire(answer.error);
  if (!res.ok || !answer) {
    const detail = `transfer ${id} answered HTTP ${res.status}`;
    throw new SocketCommunicationError(detail, { detail });
  }
  return answer as UploadResult;
}
