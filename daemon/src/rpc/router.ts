/**
 * The method table wired to handlers: one JSON-RPC server for every transport. Requests are
 * parsed, size- and batch-checked, validated against the protocol, and every failure leaves as a
 * typed error from the protocol's table — never json-rpc-2.0's default code 0.
 */
import type { JSONRPCErrorResponse, JSONRPCID, JSONRPCServer as Server } from 'json-rpc-2.0';
import { METHODS, type MethodName } from '@pocketdock/protocol';
import { JSONRPCServer } from '../cjs.js';
import { DaemonError, invalidRequest, wireError } from '../errors.js';
import type { Limits } from '../config.js';
import type { Logger } from '../log.js';
import type { CallContext } from './context.js';
import type { Handlers } from './handlers/index.js';
import { answerId, nestsDeeperThan, shapeError } from './message-shape.js';
import { CHECK_RESULTS, validateParams, validateResult } from './validate.js';

export class RpcRouter {
  private readonly server: Server<CallContext>;
  /** Messages being answered now. */
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** Set once the daemon is stopping: every later call is refused with it. */
  private stopping: string | undefined;

  constructor(
    handlers: Handlers,
    private readonly limits: Limits,
    private readonly log: Logger,
  ) {
    this.server = new JSONRPCServer<CallContext>({ errorListener: () => undefined });
    this.server.mapErrorToJSONRPCErrorResponse = (id, err) => wireError(id, err, log);
    this.server.handleMethodNotFound = (request) =>
      Promise.resolve(
        request.id === undefined
          ? null
          : wireError(
              request.id,
              new DaemonError('MethodNotFound', `method not found: ${request.method}`, { method: request.method }),
              log,
            ),
      );
    for (const name of Object.keys(METHODS) as MethodName[]) {
      const handler = handlers[name] as (p: unknown, ctx: CallContext) => unknown;
      this.server.addMethod(name, async (params, ctx) => {
        ctx.log.debug({ method: name }, 'call');
        validateParams(name, params);
        const result = (await handler(params ?? {}, ctx)) ?? null;
        if (CHECK_RESULTS) validateResult(name, result);
        return result;
      });
    }
  }

  /**
   * Refuses every call from now on with `reason`, and resolves once the calls in flight have been
   * answered or `graceMs` has passed, whichever is first.
   */
  async stop(reason: string, graceMs: number): Promise<void> {
    this.stopping = reason;
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      timer = setTimeout(resolve, graceMs);
    });
    clearTimeout(timer);
    if (this.inFlight > 0) this.log.warn({ inFlight: this.inFlight, graceMs }, 'stopping with calls still in flight');
  }

  /**
   * Answers one message (request, notification or batch); undefined when nothing is to be sent back.
   * With `refusal`, every request in it is answered with that reason instead of being run.
   */
  async receive(text: string, ctx: CallContext, refusal?: string): Promise<string | undefined> {
    if (nestsDeeperThan(text, this.limits.maxDepth)) {
      return JSON.stringify(this.malformed(null, invalidRequest(`nested deeper than ${this.limits.maxDepth} levels`)));
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return JSON.stringify(
        this.malformed(null, new DaemonError('ParseError', 'parse error: not valid JSON', { detail: 'not valid JSON' })),
      );
    }
    if (refusal !== undefined || this.stopping !== undefined) return refuse(message, refusal ?? this.stopping!, this.log);
    if (Array.isArray(message)) {
      if (message.length === 0 || message.length > this.limits.maxBatch) {
        return JSON.stringify(this.malformed(null, invalidRequest(`a batch holds 1 to ${this.limits.maxBatch} requests`)));
      }
    }
    this.inFlight++;
    try {
      return await this.dispatch(message, ctx);
    } finally {
      if (--this.inFlight === 0) for (const fn of this.idle.splice(0)) fn();
    }
  }

  /** A message answered and never run: one warning line, no stack (a client's mistake, not the daemon's fault). */
  private malformed(id: JSONRPCID, err: DaemonError): JSONRPCErrorResponse {
    this.log.warn({ reason: err.message }, 'malformed message');
    return wireError(id, err, this.log);
  }

  private async dispatch(message: unknown, ctx: CallContext): Promise<string | undefined> {
    const requests: unknown[] = Array.isArray(message) ? message : [message];
    const malformed = requests.map(shapeError);
    if (malformed.every((e) => e === undefined)) {
      const response = await this.server.receive(message as never, ctx);
      if (response === null || (Array.isArray(response) && response.length === 0)) return undefined;
      // A batch is answered with an array even when one of its requests is answered (json-rpc-2.0 unwraps it).
      return JSON.stringify(Array.isArray(message) && !Array.isArray(response) ? [response] : response);
    }
    // A malformed request is answered (under id null unless its id is valid) and never run; the
    // well-formed ones of the same batch still are.
    const answers = await Promise.all(
      requests.map(async (r, i) => {
        const err = malformed[i];
        if (err) return this.malformed(answerId(r), err);
        return this.server.receive(r as never, ctx);
      }),
    );
    const replies = answers.filter((a) => a !== null);
    if (replies.length === 0) return undefined;
    return JSON.stringify(Array.isArray(message) ? replies : replies[0]);
  }
}

/** Errors for every request of a message, under their own ids, so the caller can match them. */
function refuse(message: unknown, why: string, log: Logger): string | undefined {
  const requests = Array.isArray(message) ? message : [message];
  const answers = requests
    .filter((m) => (m as { id?: unknown } | null)?.id !== undefined)
    .map((m) => wireError(answerId(m), invalidRequest(why), log));
  if (answers.length === 0) return undefined;
  return JSON.stringify(Array.isArray(message) ? answers : answers[0]);
}
