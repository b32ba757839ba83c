/**
 * Params validation against the protocol's schemas, each compiled on its method's first call (an idle
 * daemon keeps no validator for methods nobody calls); errors name the bad field. With
 * POCKETDOCK_CHECK_RESULTS=1 (the test suites set it) every result is checked against its schema
 * too, as Playwright's dispatcher does both ways: a handler that drifts from the contract fails loudly.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { METHODS, type MethodName } from '@pocketdock/protocol';
import { Ajv } from '../cjs.js';
import { DaemonError, invalidParams } from '../errors.js';

// validateSchema off: ajv would first compile the JSON Schema meta-schema (the first call's ~50 ms of
// CPU, hot enough for V8 to optimise ajv's code generator, ~5 MB of an idle daemon's memory) to check
// schemas that are the protocol's own, which rpc/openrpc.test.ts checks against it.
const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false });
const validators = new Map<string, ValidateFunction>();
const resultValidators = new Map<string, ValidateFunction>();
// Results reuse named schemas ($id) across methods: compiled without registering them, they never clash.
const resultAjv = new Ajv({ allErrors: false, strict: false, addUsedSchema: false, validateSchema: false });

export const CHECK_RESULTS = process.env.POCKETDOCK_CHECK_RESULTS === '1';

function describe(e: ErrorObject): { field: string; detail: string } {
  const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { field: path ? `${path}.${missing}` : missing, detail: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: path ? `${path}.${extra}` : extra, detail: 'is not a known option' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { field: path || 'params', detail: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { field: path || 'params', detail: e.message ?? 'is invalid' };
}

export function validateResult(method: MethodName, result: unknown): void {
  let validate = resultValidators.get(method);
  if (!validate) resultValidators.set(method, (validate = resultAjv.compile(METHODS[method].result)));
  if (validate(result)) return;
  const { field, detail } = describe(validate.errors![0]!);
  const why = `the result of ${method} breaks its schema: ${field} ${detail}`;
  throw new DaemonError('InternalError', `internal error: ${why}`, { detail: why });
}

export function validateParams(method: MethodName, params: unknown): void {
  let validate = validators.get(method);
  if (!validate) validators.set(method, (validate = ajv.compile(METHODS[method].params)));
  if (validate(params ?? {})) return;
  const { field, detail } = describe(validate.errors![0]!);
  throw invalidParams(field, detail);
}
