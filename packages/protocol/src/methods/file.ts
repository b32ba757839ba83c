/**
 * file.*: moving bytes between a client and a container's file system. Content travels in base64
 * chunks through an upload or download handle so that neither side holds a whole file; the client
 * may keep up to TRANSFER_WINDOW chunk calls in flight, ordered by `seq`. Over a WebSocket the
 * bytes may travel raw instead, as the payload of binary frames (see frames.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ContainerRef, method, oneOf, params } from './spec.js';

/** Bytes of content per chunk call (before base64). */
export const FILE_CHUNK_BYTES = 2 * 1024 * 1024;
/** How many chunk calls of one transfer may be in flight at once. */
export const TRANSFER_WINDOW = 4;

export const TRANSFER_KINDS = ['file', 'tar'] as const;
export const TransferKind = oneOf(TRANSFER_KINDS,
  '"file": the bytes of one regular file; "tar": a tar archive of a file or directory tree');
export type TransferKind = Static<typeof TransferKind>;

const ContainerPath = Type.String({ minLength: 1, pattern: '^/', description: 'Absolute path inside the container' });
const TransferId = Type.String({ minLength: 1 });
/** base64 bytes, or absent when a binary frame's payload carries them. */
export const ChunkData = Type.Optional(Type.String({ contentEncoding: 'base64', description: 'base64 bytes; leave out when the call is a binary frame whose payload holds them' }));
const Seq = Type.Integer({ minimum: 0, description: 'Position of this chunk in the transfer, from 0' });

export const FILE_METHODS = {
  'file.write': method(
    params({ container: ContainerRef, path: ContainerPath, data: ChunkData }),
    Type.Null(),
    'Creates or overwrites a file with small content in one call; the file belongs to the container\'s user.'),
  'file.list': method(
    params({ container: ContainerRef, path: ContainerPath }),
    Type.Object({ names: Type.Array(Type.String(), { description: 'Entry names, hidden ones included; directories end with "/"' }) }),
    'Lists a directory.'),
  'file.uploadStart': method(
    params({
      container: ContainerRef,
      path: Type.String({ minLength: 1, pattern: '^/', description: '"file": the file to write; "tar": the existing directory to unpack into' }),
      kind: TransferKind,
      size: Type.Optional(Type.Integer({ minimum: 0, description: 'Length of the file; required for kind "file"' })),
    }),
    Type.Object({ uploadId: TransferId }),
    'Opens an upload. Members of an uploaded tar and the written file belong to the container\'s user.'),
  'file.uploadChunk': method(
    params({ uploadId: TransferId, seq: Seq, data: ChunkData }),
    Type.Object({ bytes: Type.Integer({ description: 'Bytes received so far' }) }),
    'Appends a chunk to an upload; answers once the chunk is on its way to the engine.'),
  'file.uploadEnd': method(
    params({ uploadId: TransferId }),
    Type.Object({ bytes: Type.Integer() }),
    'Finishes an upload and answers once the engine has written everything.'),
  'file.downloadStart': method(
    params({ container: ContainerRef, path: ContainerPath, kind: TransferKind }),
    Type.Object({
      downloadId: TransferId,
      size: Type.Optional(Type.Integer({ description: 'Length of the file (kind "file" only)' })),
    }),
    'Opens a download of a file\'s bytes (symlinks followed) or of a tar of a file or directory tree.'),
  'file.downloadChunk': method(
    params({ downloadId: TransferId, seq: Seq }),
    Type.Object({ data: ChunkData, done: Type.Boolean({ description: 'True on the last chunk; later seqs answer empty' }) }),
    'The next chunk of a download.'),
  'file.cancel': method(
    params({ transferId: TransferId }),
    Type.Null(),
    'Abandons an upload or download and releases what it holds; unknown ids are ignored.'),
} as const;
