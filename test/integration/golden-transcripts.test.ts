// Golden transcripts: what the daemon answers to a representative set of calls and errors, byte for
// byte, checked against test/integration/golden/transcripts.json — a change in any answer (a code, a
// type, a message, a field) shows up here and must be made on purpose:
//   POCKETDOCK_UPDATE_GOLDEN=1 npx vitest run test/integration/golden-transcripts.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { postRpc, type RawTarget } from '../helpers/rpc.js';

const FILE = new URL('golden/transcripts.json', import.meta.url).pathname;

interface Exchange {
  over: 'unix' | 'tcp' | 'tcp-no-token';
  request: string;
  status: number;
  response: unknown;
}

const MISSING = 'pd-golden-no-such-container';
/** [transport, request body] in order; the answers are the golden file's. */
const REQUESTS: [Exchange['over'], string][] = [
  ['unix', '{"jsonrpc":"2.0","id":1,"method":"daemon.version"}'],
  ['unix', '{not json'],
  ['unix', 'null'],
  ['unix', '[]'],
  ['unix', `[${Array.from({ length: 101 }, () => '1').join(',')}]`],
  ['unix', '{"jsonrpc":"2.0","id":true,"method":"daemon.version"}'],
  ['unix', `{"jsonrpc":"2.0","id":1,"method":"daemon.version","params":${'['.repeat(70)}${']'.repeat(70)}}`],
  ['unix', '{"jsonrpc":"2.0","id":2,"method":"no.such"}'],
  ['unix', '{"jsonrpc":"2.0","id":3,"method":"container.create","params":null}'],
  ['unix', '{"jsonrpc":"2.0","id":4,"method":"container.create","params":{"colour":"blue"}}'],
  ['unix', `{"jsonrpc":"2.0","id":5,"method":"container.run","params":{"container":"${MISSING}","command":"true","timeout":1e400}}`],
  ['unix', `{"jsonrpc":"2.0","id":6,"method":"container.run","params":{"container":"${MISSING}","command":"true","maxOutput":1000000000}}`],
  ['unix', `{"jsonrpc":"2.0","id":7,"method":"container.run","params":{"container":"${MISSING}","command":"true"}}`],
  ['unix', '{"jsonrpc":"2.0","id":8,"method":"exec.wait","params":{"execId":"pd-golden-no-such-exec"}}'],
  [
    'unix',
    '[{"jsonrpc":"2.0","id":9,"method":"daemon.version"},{"jsonrpc":"2.0","id":[1],"method":"daemon.version"},{"jsonrpc":"2.0","method":"daemon.version"}]',
  ],
  ['unix', '{"jsonrpc":"2.0","method":"daemon.version"}'],
  ['tcp-no-token', '{"jsonrpc":"2.0","id":10,"method":"daemon.version"}'],
  ['tcp', '{"jsonrpc":"2.0","id":11,"method":"container.create","params":{"volumes":{"/srv/pd-golden":"/data"}}}'],
  ['tcp', '{"jsonrpc":"2.0","id":12,"method":"container.create","params":{"volumes":{"/":"/host"}}}'],
  ['tcp', '{"jsonrpc":"2.0","id":13,"method":"container.create","params":{"image":"pocketdock/base:bookworm"}}'],
];

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ tcp: true });
});
afterAll(async () => {
  await d?.stop();
});

/** What differs from one daemon to the next (its version) is replaced by a placeholder. */
function normalized(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body).replace(/"version":"[^"]+"/g, '"version":"<version>"'));
}

describe('golden transcripts', () => {
  it('answers every request of the transcript exactly as recorded', async () => {
    const targets: Record<Exchange['over'], RawTarget> = {
      unix: { socketPath: d.socketPath },
      tcp: { port: d.port!, headers: { authorization: `Bearer ${d.token}` } },
      'tcp-no-token': { port: d.port! },
    };
    const got: Exchange[] = [];
    for (const [over, request] of REQUESTS) {
      const { status, json } = await postRpc(targets[over], request);
      got.push({ over, request, status, response: normalized(json ?? null) });
    }
    if (process.env.POCKETDOCK_UPDATE_GOLDEN === '1') {
      writeFileSync(FILE, `${JSON.stringify(got, null, 1)}\n`);
      console.warn(`golden transcripts written to ${FILE}: review them before committing`);
    }
    const golden = JSON.parse(readFileSync(FILE, 'utf8')) as Exchange[];
    expect(got.map((e) => e.request)).toEqual(golden.map((e) => e.request));
    for (const [i, e] of got.entries()) expect(e, `exchange ${i}: ${e.request.slice(0, 120)}`).toEqual(golden[i]);
  });
});
