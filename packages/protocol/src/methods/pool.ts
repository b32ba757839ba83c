/** pool.*: the warm pool of ready containers the daemon keeps per profile or image (its `pool` config). */
import { Type, type Static } from '@sinclair/typebox';
import { method, params } from './spec.js';

export const PoolStatus = Type.Object(
  {
    key: Type.String({ description: 'The profile or image as the daemon config names it' }),
    image: Type.String(),
    network: Type.Boolean({ description: 'whether its containers have a network besides loopback' }),
    size: Type.Integer({ description: 'how many ready containers the daemon keeps' }),
    ready: Type.Integer({ description: 'ready now' }),
    filling: Type.Integer({ description: 'being created now' }),
    maxIdleSeconds: Type.Number({ description: 'a ready container older than this is replaced' }),
    hits: Type.Integer({ description: 'creates served from the pool' }),
    misses: Type.Integer({ description: 'creates this pool could have served that found it empty' }),
    refills: Type.Integer({ description: 'containers created for the pool' }),
    lastRefillMs: Type.Union([Type.Number(), Type.Null()], { description: 'how long the last refill took (create and start)' }),
    meanRefillMs: Type.Union([Type.Number(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()], { description: 'why the last refill failed, null once one succeeds' }),
  },
  { $id: 'PoolStatus' },
);
export type PoolStatus = Static<typeof PoolStatus>;

export const POOL_METHODS = {
  'pool.status': method(
    params({}),
    Type.Object({
      pools: Type.Array(PoolStatus),
      cold: Type.Integer({
        description: 'creates no pool could serve (other image, network, volumes, ports, devices, project, persist or engine)',
      }),
    }),
    'The warm pool: per configured profile or image, its size, what is ready, hits, misses and refill times.',
  ),
} as const;
