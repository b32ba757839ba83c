/**
 * The protocol's plain values — names, limits, a route and a header — that methods/*.ts build their
 * schemas with, kept apart from them so that importing them loads no TypeBox (schemas.ts says why).
 */

export const LANGS = ['sh', 'bash', 'python', 'node'] as const;

export const STREAMS = ['stdout', 'stderr'] as const;

/** Most subscriptions one connection may hold on one exec. */
export const MAX_SUBSCRIPTIONS = 64;

export const EXEC_KINDS = ['run', 'stream', 'process', 'session', 'terminal'] as const;

/** The longest timeout a timer can hold (2^31-1 ms): anything longer would fire at once. */
export const MAX_SECONDS = 2_147_483;

/** What a resume token (methods/daemon.ts) must look like. */
export const RESUME_TOKEN_PATTERN = '^[A-Za-z0-9_-]{16,128}$';

/** The HTTP header carrying the resume token on POST /rpc: every call with it renews the lease. */
export const RESUME_TOKEN_HEADER = 'pocketdock-resume-token';

/**
 * The bulk data channel. `PUT /transfers/<uploadId>` streams an upload's bytes as the request
 * body and answers its result as JSON (file uploads: UploadResult; image imports: ImportResult);
 * `GET /transfers/<downloadId>` answers a download's bytes as the response body. Each id is
 * random, serves one request, and expires when unused for a minute; the listener's own auth
 * applies (the Unix socket's file mode; the TCP listener's bearer token). Failures answer a
 * JSON-RPC error response object ({ jsonrpc, id: null, error: { code, message, data.type } });
 * a download that fails after its first byte breaks off before its end.
 *
 * A transfer opened with `local` (a file on the daemon's own host, named by a caller on its Unix
 * socket) moves its bytes between that file and the engine in the daemon, with no body at all:
 * `POST /transfers/<id>` runs it and answers newline-delimited JSON, `{ "bytes": n }` lines as the
 * bytes move, then one last line: `{ "result": { "bytes": n } }`, or a JSON-RPC error response object.
 */
export const TRANSFER_ROUTE = '/transfers/';

export const TRANSFER_KINDS = ['file', 'tar'] as const;
