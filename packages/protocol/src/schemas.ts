/**
 * Every method's and notification's schemas as the plain JSON that methods/*.ts declare with TypeBox,
 * written to schemas.json by `npm run docs` (schemas.test.ts fails when it is not current). What runs
 * needs only the JSON: building it with TypeBox loads ~200 modules, ~3 MB of an idle daemon's resident
 * memory (test/bench/modules.bench.ts). The types are the declared ones.
 */
import type * as Declared from './methods/index.js';
import schemas from './schemas.json' with { type: 'json' };

export const METHODS = schemas.methods as unknown as typeof Declared.METHODS;
export const NOTIFICATIONS = schemas.notifications as unknown as typeof Declared.NOTIFICATIONS;
