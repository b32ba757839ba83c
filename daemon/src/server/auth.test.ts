import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGN_IN_COOKIE, loadOrCreateToken, refuseTcpRequest, signInCookieHeader, tokensMatch } from './auth.js';

const guard = { token: 'secret-token', port: 7117, origins: ['http://localhost:5173'] };
const ok = { host: '127.0.0.1:7117', authorization: 'Bearer secret-token' };

describe('TCP guard', () => {
  it('lets a loopback request with the token pass', () => {
    expect(refuseTcpRequest(guard, ok, undefined)).toBeUndefined();
    expect(refuseTcpRequest(guard, { host: 'localhost:7117' }, 'token=secret-token')).toBeUndefined();
    expect(refuseTcpRequest(guard, { ...ok, origin: 'http://localhost:5173' }, undefined)).toBeUndefined();
    expect(refuseTcpRequest(guard, { ...ok, origin: 'http://127.0.0.1:7117' }, undefined)).toBeUndefined();
  });

  it('refuses a missing or wrong token, a foreign Host (DNS rebinding) and a foreign Origin', () => {
    expect(refuseTcpRequest(guard, { host: ok.host }, undefined)).toMatch(/token/);
    expect(refuseTcpRequest(guard, { ...ok, authorization: 'Bearer secret-tokeN' }, undefined)).toMatch(/token/);
    expect(refuseTcpRequest(guard, { ...ok, host: 'attacker.example:7117' }, undefined)).toMatch(/Host/);
    expect(refuseTcpRequest(guard, { ...ok, origin: 'https://attacker.example' }, undefined)).toMatch(/Origin/);
  });
});

describe('dashboard sign-in', () => {
  const host = { host: '127.0.0.1:7117' };

  it('takes the token from the sign-in cookie among others, and refuses a wrong one', () => {
    expect(refuseTcpRequest(guard, { ...host, cookie: `theme=dark; ${SIGN_IN_COOKIE}=secret-token; x=1` }, undefined)).toBeUndefined();
    expect(refuseTcpRequest(guard, { ...host, cookie: `${SIGN_IN_COOKIE}=secret-tokeN` }, undefined)).toMatch(/token/);
    expect(refuseTcpRequest(guard, { ...host, cookie: `other_${SIGN_IN_COOKIE}=secret-token` }, undefined)).toMatch(/token/);
  });

  it('still checks Origin with a good cookie: a page of another site is refused', () => {
    expect(
      refuseTcpRequest(guard, { ...host, origin: 'http://127.0.0.1:9999', cookie: `${SIGN_IN_COOKIE}=secret-token` }, undefined),
    ).toMatch(/Origin/);
  });

  it("lets the dashboard's files pass without a token, but not from a foreign Host or Origin", () => {
    expect(refuseTcpRequest(guard, host, undefined, true)).toBeUndefined();
    expect(refuseTcpRequest(guard, { host: 'attacker.example:7117' }, undefined, true)).toMatch(/Host/);
    expect(refuseTcpRequest(guard, { ...host, origin: 'https://attacker.example' }, undefined, true)).toMatch(/Origin/);
  });

  it('sets a cookie no script can read and no other site can send', () => {
    expect(signInCookieHeader('t0k')).toBe(`${SIGN_IN_COOKIE}=t0k; HttpOnly; SameSite=Strict; Path=/`);
  });
});

describe('token file', () => {
  it('is created 0600 once and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-tok-'));
    const a = loadOrCreateToken(dir);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(dir)).toBe(a);
  });
});

describe('token comparison', () => {
  it('matches only the same token, whatever the lengths', () => {
    expect(tokensMatch('secret-token', 'secret-token')).toBe(true);
    expect(tokensMatch('secret-tokeN', 'secret-token')).toBe(false);
    expect(tokensMatch('secret', 'secret-token')).toBe(false);
    expect(tokensMatch('', 'secret-token')).toBe(false);
  });
});
