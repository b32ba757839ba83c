import { describe, expect, it } from 'vitest';
import { redact } from './log.js';

describe('log redaction', () => {
  it('hides a token in a query, a cookie and an Authorization header, and nothing else', () => {
    const line = JSON.stringify({ url: '/rpc?x=1&token=abc123&y=2', cookie: 'a=1; pocketdock_token=abc123; b=2', auth: 'Bearer abc123', msg: 'tokens are fine' });
    const out = redact(line);
    expect(out).not.toContain('abc123');
    expect(out).toContain('/rpc?x=1&token=[redacted]&y=2');
    expect(out).toContain('pocketdock_token=[redacted]; b=2');
    expect(out).toContain('tokens are fine');
  });
});
