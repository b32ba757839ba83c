/**
 * Bytes beside a call rather than inside it: what came in a binary frame's payload, and what
 * leaves in one instead of as base64 — only to a caller whose request came in a binary frame.
 */
import { invalidParams } from '../errors.js';
import type { CallContext } from './context.js';

const PAYLOAD = Symbol('payload');

/** A call's bytes: its binary frame's payload, or its base64 `data` param. */
export function callBytes(data: string | undefined, ctx: CallContext): Buffer {
  if (ctx.payload) {
    if (data !== undefined) throw invalidParams('data', 'must be left out when the binary frame\'s payload carries the bytes');
    return Buffer.from(ctx.payload.buffer, ctx.payload.byteOffset, ctx.payload.byteLength);
  }
  if (data === undefined) throw invalidParams('data', 'is required (base64) unless a binary frame\'s payload carries the bytes');
  return Buffer.from(data, 'base64');
}

export function withPayload<T extends object>(result: T, payload: Uint8Array): T {
  Object.defineProperty(result, PAYLOAD, { value: payload, enumerable: false });
  return result;
}

export function payloadOf(result: unknown): Uint8Array | undefined {
  return typeof result === 'object' && result !== null ? (result as { [PAYLOAD]?: Uint8Array })[PAYLOAD] : undefined;
}
