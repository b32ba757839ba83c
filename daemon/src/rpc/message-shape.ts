/**
 * What a message must look like before json-rpc-2.0 sees it: nesting no deeper than the limit
 * (checked on the text, before anything recurses into it), and each request an object with
 * `jsonrpc: "2.0"`, a string method, an id that is a string, a finite number or null, and params,
 * when given, an object (every method takes named params).
 */
import type { JSONRPCID } from 'json-rpc-2.0';
import { invalidRequest, type DaemonError } from '../errors.js';

/** Whether `text`'s arrays and objects nest deeper than `max` (string contents skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const validId = (id: unknown): id is JSONRPCID => id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/** The id to answer a request under: its own when valid, else null (as JSON-RPC says). */
export function answerId(request: unknown): JSONRPCID {
  const id = (request as { id?: unknown } | null)?.id;
  return validId(id) ? id : null;
}

/** Why `request` is not one the daemon takes, or undefined. */
export function shapeError(request: unknown): DaemonError | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return invalidRequest('a request is a JSON object');
  const r = request as Record<string, unknown>;
  if (r.jsonrpc !== '2.0') return invalidRequest('jsonrpc must be "2.0"');
  if (typeof r.method !== 'string') return invalidRequest('method must be a string');
  if ('id' in r && !validId(r.id)) return invalidRequest('id must be a string, a number or null');
  if ('params' in r && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) {
    return invalidRequest('params must be an object (named params), or left out');
  }
  return undefined;
}
