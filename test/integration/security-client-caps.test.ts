// One client cannot hold more than its share of execs, sessions, terminals and transfers: over the
// config's cap a start is refused with LimitExceeded naming the limit, nothing starts, other clients
// are unaffected, and a slot comes back when what held it ends (or its start failed).
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceeded, connect, type PocketDock, type Process } from '../../client/src/index.js';
import { useSandbox } from '../helpers/daemon.js';
import { postRpc, transferRequest } from '../helpers/rpc.js';

const config = join(mkdtempSync(join(tmpdir(), 'pd-caps-')), 'pocketdockd.yaml');
writeFileSync(
  config,
  'limits:\n  maxExecsPerClient: 2\n  maxSessionsPerClient: 1\n  maxTerminalsPerClient: 1\n  maxTransfersPerClient: 1\n',
);
const suite = useSandbox({ args: ['--config', config] });
let other: PocketDock;

beforeAll(async () => {
  other = await connect({ daemon: suite.d.socketPath, autoStart: false, resumeToken: 'caps-test-other-client' });
});
afterAll(async () => {
  await other?.close();
});

const refusal = (err: unknown) => {
  expect(err).toBeInstanceOf(LimitExceeded);
  return (err as LimitExceeded).limit;
};

type Reply = { result?: Record<string, string>; error?: { code: number; data: Record<string, unknown> } };
const post = async (method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) =>
  (await postRpc({ socketPath: suite.d.socketPath, headers }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json as Reply;

describe('per-client caps', () => {
  it('execs: a third running exec is refused, a blocking run too; another client still runs; a slot comes back when one exits', async () => {
    const running: Process[] = [];
    for (let i = 0; i < 2; i++) running.push(await suite.c.run('sleep 600', { detach: true }));
    expect(refusal(await suite.c.run('sleep 600', { detach: true }).catch((e: unknown) => e))).toBe('maxExecsPerClient');
    expect(refusal(await suite.c.run('echo hi').catch((e: unknown) => e))).toBe('maxExecsPerClient');
    // Nothing started for the refused ones.
    const listed = await suite.pd.transport.call('exec.list', { container: suite.c.name, kind: 'process' });
    expect(listed.filter((e) => e.running)).toHaveLength(2);
    // Another client has its own budget.
    expect((await (await other.container(suite.c.name)).run('echo other')).stdout).toBe('other\n');

    await running[0]!.kill(9);
    await running[0]!.wait();
    expect((await suite.c.run('echo again')).stdout).toBe('again\n');
    await running[1]!.kill(9);
    await running[1]!.wait();
  });

  it('execs: a start that fails gives its slot back at once', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await post('exec.start', { container: 'pd-no-such-container', command: 'true' });
      expect(r.error?.data.type).toBe('ContainerNotFound');
    }
    expect((await suite.c.run('echo still')).stdout).toBe('still\n');
  });

  it('sessions: a second open session is refused until the first closes', async () => {
    const s = await suite.c.session();
    expect(refusal(await suite.c.session().catch((e: unknown) => e))).toBe('maxSessionsPerClient');
    expect((await suite.pd.transport.call('session.list', {})).filter((x) => x.open)).toHaveLength(1);
    const theirs = await (await other.container(suite.c.name)).session();
    await theirs.close();
    await s.close();
    const again = await suite.c.session();
    expect((await again.sendAndWait('echo ok')).stdout).toBe('ok\n');
    await again.close();
  });

  it('terminals: a second running terminal is refused until the first exits', async () => {
    const t = await suite.c.openTerminal({ command: 'sleep 600' });
    const second = await suite.c.openTerminal({ command: 'sleep 600' }).catch((e: unknown) => e);
    expect(refusal(second)).toBe('maxTerminalsPerClient');
    await t.kill(9);
    await t.exited;
    const again = await suite.c.openTerminal({ command: 'true' });
    await again.exited;
  });

  it('transfers: a second open transfer is refused until the first is used or cancelled; images count too', async () => {
    const headers = { 'pocketdock-resume-token': 'caps-test-http-client-1' };
    const start = (method: string, params: Record<string, unknown>) => post(method, { container: suite.c.name, ...params }, headers);
    const down = await start('file.downloadStart', { path: '/etc/hostname', kind: 'file' });
    expect(down.result?.downloadId).toMatch(/^down-/);
    const refused = await start('file.uploadStart', { path: 'x', kind: 'file', size: 1 });
    expect(refused.error).toMatchObject({ code: -32080, data: { type: 'LimitExceeded', limit: 'maxTransfersPerClient' } });
    expect((await post('image.importStart', {}, headers)).error?.data).toMatchObject({ type: 'LimitExceeded' });
    // Another token is another client.
    const theirs = await post(
      'file.downloadStart',
      { container: suite.c.name, path: '/etc/hostname', kind: 'file' },
      {
        'pocketdock-resume-token': 'caps-test-http-client-2',
      },
    );
    expect(theirs.result?.downloadId).toMatch(/^down-/);
    await post('file.cancel', { transferId: theirs.result!.downloadId }, {});

    // Used: the download's request is over, so is its slot.
    const got = await transferRequest({ socketPath: suite.d.socketPath }, 'GET', `/transfers/${down.result!.downloadId}`);
    expect(got.status).toBe(200);
    const up = await start('file.uploadStart', { path: 'caps.txt', kind: 'file', size: 1 });
    expect(up.result?.uploadId).toMatch(/^up-/);
    // Cancelled: so is its slot.
    expect((await post('file.cancel', { transferId: up.result!.uploadId }, headers)).result).toBeNull();
    const next = await start('file.uploadStart', { path: 'caps.txt', kind: 'file', size: 1 });
    const put = await transferRequest({ socketPath: suite.d.socketPath }, 'PUT', `/transfers/${next.result!.uploadId}`, Buffer.from('x'));
    expect(put.status).toBe(200);
    expect((await start('file.downloadStart', { path: 'caps.txt', kind: 'file' })).result?.downloadId).toMatch(/^down-/);
  });

  it('transfers: a local one holds its slot until its POST is over, also when the caller breaks it off midway', async () => {
    const headers = { 'pocketdock-resume-token': 'caps-test-http-client-3' };
    const start = (method: string, params: Record<string, unknown>) => post(method, { container: suite.c.name, ...params }, headers);
    expect((await suite.c.run('head -c 67108864 /dev/zero > /home/sandbox/big.bin')).exitCode).toBe(0);
    const into = join(mkdtempSync(join(tmpdir(), 'pd-caps-local-')), 'big.bin');
    writeFileSync(into, '');
    const st = statSync(into, { bigint: true });
    const local = { path: into, dev: String(st.dev), ino: String(st.ino) };
    const down = await start('file.downloadStart', { path: 'big.bin', kind: 'file', local });
    expect(down.result).toMatchObject({ local: true });
    expect((await start('file.uploadStart', { path: 'x', kind: 'file', size: 1 })).error?.data).toMatchObject({ type: 'LimitExceeded' });
    // Broken off once the first progress line says bytes are moving.
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: suite.d.socketPath, path: `/transfers/${down.result!.downloadId}`, method: 'POST' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.once('error', reject);
      req.end();
    });
    await expect
      .poll(async () => (await start('file.uploadStart', { path: 'x', kind: 'file', size: 1 })).result?.uploadId, { timeout: 10_000 })
      .toMatch(/^up-/);
    expect(statSync(into).size).toBeLessThan(67108864);
  });

  it('HTTP callers without a resume token share one budget', async () => {
    const first = await post('file.downloadStart', { container: suite.c.name, path: '/etc/hostname', kind: 'file' });
    expect(first.result?.downloadId).toMatch(/^down-/);
    const second = await post('file.downloadStart', { container: suite.c.name, path: '/etc/hostname', kind: 'file' });
    expect(second.error?.data).toMatchObject({ type: 'LimitExceeded', limit: 'maxTransfersPerClient' });
    await post('file.cancel', { transferId: first.result!.downloadId });
  });
});
