/** How a method is declared: params and result as JSON Schema (TypeBox), and one doc line. */
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_SECONDS } from '../constants.js';

export interface MethodSpec<P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly params: P;
  readonly result: R;
  readonly doc: string;
}

export const method = <P extends TSchema, R extends TSchema>(params: P, result: R, doc: string): MethodSpec<P, R> => ({
  params,
  result,
  doc,
});

/** How a notification (daemon → client, no reply) is declared: its params and one doc line. */
export interface NotificationSpec<P extends TSchema = TSchema> {
  readonly params: P;
  readonly doc: string;
}

export const notification = <P extends TSchema>(params: P, doc: string): NotificationSpec<P> => ({ params, doc });

/** Params objects reject unknown members so that a typo is named instead of ignored. */
export const params = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });

/** A string that must be one of `values`; validation errors list them. */
export const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: values, ...(description && { description }) });

export const ContainerRef = Type.String({ minLength: 1, description: 'Container id or name' });
export const Seconds = Type.Number({ exclusiveMinimum: 0, maximum: MAX_SECONDS, description: `seconds, at most ${MAX_SECONDS}` });
export const EngineSocket = Type.String({ minLength: 1, description: "Engine socket to use instead of the daemon's default" });

/**
 * Params of a method that names a container: the container, and optionally the engine it lives on
 * (without it the daemon looks on its default engine, then on every other engine it knows).
 */
export const addressed = <T extends Parameters<typeof params>[0]>(props: T) =>
  params({ container: ContainerRef, socketPath: Type.Optional(EngineSocket), ...props });

/** The part of `addressed` params that names the container. */
export interface ContainerTarget {
  container: string;
  socketPath?: string;
}
export const ExecId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
  description:
    'Exec id; a client may choose it (retrying a start with the same id returns the existing exec, never runs the command twice)',
});
