/**
 * file.*: moving bytes between a client and a container's file system. Small content fits in
 * file.write; anything else goes through a transfer: the call opens it and answers its id, then
 * the bytes flow as one streamed HTTP body on the same listener (see TRANSFER_ROUTE), so that
 * neither side holds a whole file and no JSON or base64 wraps the bytes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TRANSFER_KINDS, TRANSFER_ROUTE } from '../constants.js';
import { DEFAULTS } from '../defaults.js';
import { addressed, method, oneOf, params } from './spec.js';

export const TransferKind = oneOf(
  TRANSFER_KINDS,
  '"file": the bytes of one regular file; "tar": a tar archive of a file or directory tree',
);
export type TransferKind = Static<typeof TransferKind>;

/** What `PUT /transfers/<uploadId>` answers for a file.uploadStart upload. */
export const UploadResult = Type.Object({ bytes: Type.Integer({ description: 'Bytes received' }) });
export type UploadResult = Static<typeof UploadResult>;

const RELATIVE = `a relative path starts at the sandbox user's home, ${DEFAULTS.home}`;
const ContainerPath = Type.String({ minLength: 1, description: `Path inside the container; ${RELATIVE}` });
const TransferId = Type.String({ minLength: 1, description: `Used once, as ${TRANSFER_ROUTE}<id>` });
const Decimal = (what: string) => Type.String({ pattern: '^[0-9]{1,20}$', description: `${what}, in decimal (it may pass 2^53)` });

/**
 * A file on the daemon's host as its caller sees it: the daemon opens `path` (never through a
 * symlink) and uses it only if its device and inode are these, so that a caller that sees another
 * file system (another mount namespace, another machine) is never handed someone else's file.
 */
const hostFile = (description: string) =>
  Type.Object(
    {
      path: Type.String({ pattern: '^/', description: 'Absolute path on the host' }),
      dev: Decimal('Device number (stat st_dev)'),
      ino: Decimal('Inode number (stat st_ino)'),
    },
    { additionalProperties: false, description },
  );
export type HostFile = Static<ReturnType<typeof hostFile>>;
/** What a caller that offered `direct` may do itself with the engine, for the transfer's bytes. */
const engineTarget = (path: string) => ({
  engineSocket: Type.String({
    description: "The engine's Unix socket as the daemon names it: the caller connects with its own permissions",
  }),
  containerId: Type.String({ description: "The container's full id" }),
  path: Type.String({ description: path }),
  stillMs: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        "How long the engine may keep the transfer still (take or send none of its bytes, or not answer) before the caller gives up on it with SocketCommunicationError, as the daemon does with its own (its engineTimeoutSeconds); absent (older daemons): the caller's choice",
    }),
  ),
});
const DIRECT_OFFER = Type.Optional(
  Type.Literal(true, {
    description:
      'The caller can move the bytes with the engine itself, over its archive API, when the daemon says how (`direct` in the result): only ever said to callers on the Unix socket; absent: never',
  }),
);
const DIRECT_END = `The transfer id then carries no bytes: it holds the caller's transfer slot until file.cancel (the caller calls it when done, also on failure) or a minute passes. A caller that cannot connect to \`engineSocket\` (another user, another mount namespace), or finds there an engine that knows no such container (another engine at that path), cancels it and starts again without \`direct\`. Engine failures mean what they mean to the daemon (the protocol's engineError, with \`path\` as context).`;

const LOCAL = `the daemon moves the bytes itself (${TRANSFER_ROUTE}<id> is then POSTed, with no body); absent: they go through PUT or GET as usual`;

export const FILE_METHODS = {
  'file.write': method(
    addressed({ path: ContainerPath, data: Type.String({ contentEncoding: 'base64', description: 'The content, base64' }) }),
    Type.Null(),
    "Creates or overwrites a file with small content in one call; the file belongs to the container's user. Larger content goes through file.uploadStart.",
  ),
  'file.list': method(
    addressed({ path: ContainerPath }),
    Type.Object({ names: Type.Array(Type.String(), { description: 'Entry names, hidden ones included; directories end with "/"' }) }),
    'Lists a directory.',
  ),
  'file.uploadStart': method(
    addressed({
      path: Type.String({
        minLength: 1,
        description: `"file": the file to write; "tar": the existing directory to unpack into; ${RELATIVE}`,
      }),
      kind: TransferKind,
      size: Type.Optional(Type.Integer({ minimum: 0, description: 'Length of the file; required for kind "file"' })),
      local: Type.Optional(
        hostFile(
          'Kind "file", callers on the Unix socket only: a regular file on the host for the daemon to read instead of a body; the written file gets its permission bits and modification time',
        ),
      ),
      direct: DIRECT_OFFER,
    }),
    Type.Object({
      uploadId: TransferId,
      local: Type.Optional(Type.Literal(true, { description: `The daemon opened \`local\` and it is the caller's file: ${LOCAL}` })),
      direct: Type.Optional(
        Type.Object(
          {
            ...engineTarget('The directory to put the archive into'),
            head: Type.String({
              contentEncoding: 'base64',
              description: "The tar's blocks before the content: the file's header (name, size, the container user as owner, mode, time)",
            }),
            tail: Type.Integer({ description: 'Zero bytes to send after the content: its padding and the end blocks' }),
          },
          {
            description: `Given for kind "file" without \`local\` when the caller offered \`direct\`: the caller sends \`head\`, the content and \`tail\` zeros as the body of the engine's PUT /containers/<containerId>/archive?path=<path>&noOverwriteDirNonDir=true. ${DIRECT_END}`,
          },
        ),
      ),
    }),
    `Opens an upload; its bytes are the body of PUT ${TRANSFER_ROUTE}<uploadId>, which answers { bytes } once the engine has written them. Members of an uploaded tar and the written file belong to the container's user.`,
  ),
  'file.downloadStart': method(
    addressed({
      path: ContainerPath,
      kind: TransferKind,
      maxBytes: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'The most bytes the download may carry: a file larger is refused here (FileError); a tar that grows past it breaks off short, never ending like a whole one',
        }),
      ),
      local: Type.Optional(
        hostFile(
          'Callers on the Unix socket only, not with maxBytes: a regular file on the host (made by the caller) for the daemon to write the bytes into, those of the file (kind "file"), or of the tar\'s top member when it is a regular file (kind "tar"; else the download is the tar, as usual)',
        ),
      ),
      direct: DIRECT_OFFER,
    }),
    Type.Object({
      downloadId: TransferId,
      size: Type.Optional(Type.Integer({ description: 'Length of the file (kind "file", or a local download)' })),
      local: Type.Optional(
        Type.Literal(true, { description: `The daemon opened \`local\`, it is the caller's file, and a file goes into it: ${LOCAL}` }),
      ),
      mode: Type.Optional(Type.Integer({ description: 'Permission bits of the file in the container (a local download)' })),
      direct: Type.Optional(
        Type.Object(engineTarget('The file to read'), {
          description: `Given for kind "file" without \`maxBytes\` or \`local\` when the caller offered \`direct\`: the caller reads the first member of the engine's GET /containers/<containerId>/archive?path=<path>. When that member is not a regular file (a symlink, a directory), the caller reads the path again without \`direct\`, so that the daemon follows the link or names what it found, as it always does. ${DIRECT_END}`,
        }),
      ),
    }),
    `Opens a download of a file's bytes (symlinks followed) or of a tar of a file or directory tree; its bytes are the body of GET ${TRANSFER_ROUTE}<downloadId>.`,
  ),
  'file.cancel': method(
    params({ transferId: TransferId }),
    Type.Null(),
    'Abandons an upload or download not yet used and releases what it holds, or ends a direct one (its caller is done); unknown ids are ignored.',
  ),
} as const;
