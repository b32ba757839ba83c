/**
 * Binary WebSocket frames: one JSON-RPC notification plus raw bytes, so that exec output crosses a
 * WebSocket without a JSON string around it. Layout: the header's length (4 bytes, big-endian), the
 * header (the UTF-8 JSON-RPC notification without its `data` param), then the payload: the UTF-8
 * bytes of `data`. Only the daemon sends them (exec.output), and only to connections that offered
 * BINARY_SUBPROTOCOL; file and image bytes travel over the transfer channel instead.
 */
const LENGTH_BYTES = 4;

/**
 * The WebSocket subprotocol (Sec-WebSocket-Protocol) a client offers to receive notifications with
 * bytes as binary frames; the daemon accepts it. Without it a connection gets plain JSON-RPC text
 * only, as a browser or any JSON-RPC client expects.
 */
export const BINARY_SUBPROTOCOL = 'pocketdock.binary';

const encoder = new TextEncoder();

/**
 * `into`: a buffer to write the frame in when it surely fits, so that a sender streaming many
 * frames can reuse a few instead of allocating each; the frame is then a view of it.
 */
export function encodeFrame(header: string, payload: Uint8Array, into?: Uint8Array): Uint8Array {
  if (into && into.length >= LENGTH_BYTES + header.length * 3 + payload.length) {
    const { written } = encoder.encodeInto(header, into.subarray(LENGTH_BYTES));
    new DataView(into.buffer, into.byteOffset, into.byteLength).setUint32(0, written);
    into.set(payload, LENGTH_BYTES + written);
    return into.subarray(0, LENGTH_BYTES + written + payload.length);
  }
  const head = encoder.encode(header);
  const frame = new Uint8Array(LENGTH_BYTES + head.length + payload.length);
  new DataView(frame.buffer).setUint32(0, head.length);
  frame.set(head, LENGTH_BYTES);
  frame.set(payload, LENGTH_BYTES + head.length);
  return frame;
}

/** The header text and payload of a frame, or undefined when it is not one. */
export function decodeFrame(frame: Uint8Array): { header: string; payload: Uint8Array } | undefined {
  if (frame.length < LENGTH_BYTES) return undefined;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (LENGTH_BYTES + length > frame.length) return undefined;
  return {
    header: new TextDecoder().decode(frame.subarray(LENGTH_BYTES, LENGTH_BYTES + length)),
    payload: frame.subarray(LENGTH_BYTES + length),
  };
}
