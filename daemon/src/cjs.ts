/**
 * The CommonJS packages the daemon runs, loaded with require. Imported from an ES module, a
 * CommonJS package is first parsed by Node's cjs-module-lexer for its export names, and that parse
 * (hot enough for V8 to optimise) costs an idle daemon ~3 MB of resident memory that require never
 * spends (test/bench/modules.bench.ts). Elsewhere in the daemon these packages are imported for their
 * types only (test/unit/cjs-imports.test.ts).
 */
import { createRequire } from 'node:module';
import type * as AjvPackage from 'ajv';
import type * as FastifyPackage from 'fastify';
import type FastifyWebsocket from '@fastify/websocket';
import type * as JsonRpcPackage from 'json-rpc-2.0';
import type * as PinoPackage from 'pino';
import type * as TarPackage from 'tar-stream';
import type * as YamlPackage from 'yaml';

const require = createRequire(import.meta.url);

export const { Ajv } = require('ajv') as typeof AjvPackage;
export const { fastify, LogController } = require('fastify') as typeof FastifyPackage;
export const fastifyWebsocket = require('@fastify/websocket') as typeof FastifyWebsocket;
export const { JSONRPCServer, createJSONRPCErrorResponse } = require('json-rpc-2.0') as typeof JsonRpcPackage;
export const { pino } = require('pino') as typeof PinoPackage;
export const tar = require('tar-stream') as typeof TarPackage;
/** yaml is read only for a config file or a project's: loaded on its first use, it costs a daemon that has none nothing. */
const yaml = () => require('yaml') as typeof YamlPackage;
export const parseYaml = (src: string): unknown => yaml().parse(src);
export const stringifyYaml = (value: unknown): string => yaml().stringify(value);
