import { describe, expect, it } from 'vitest';
import { redact, stderrIsJournal, withPriority } from './log.js';

describe('log redaction', () => {
  it('hides a token in a query, a cookie and an Authorization header, and nothing else', () => {
    const line = JSON.stringify({
      url: '/rpc?x=1&token=abc123&y=2',
      cookie: 'a=1; pocketdock_token=abc123; b=2',
      auth: 'Bearer abc123',
      msg: 'tokens are fine',
    });
    const out = redact(line);
    expect(out).not.toContain('abc123');
    expect(out).toContain('/rpc?x=1&token=[redacted]&y=2');
    expect(out).toContain('pocketdock_token=[redacted]; b=2');
    expect(out).toContain('tokens are fine');
  });
});

describe('logs under journald', () => {
  it('prefix each line with its syslog priority', () => {
    expect(withPriority('{"level":30,"msg":"x"}\n')).toBe('<6>{"level":30,"msg":"x"}\n');
    expect(withPriority('{"level":40,"msg":"x"}\n')).toMatch(/^<4>/);
    expect(withPriority('{"level":50,"msg":"x"}\n')).toMatch(/^<3>/);
    expect(withPriority('{"level":60,"msg":"x"}\n')).toMatch(/^<2>/);
    expect(withPriority('{"level":20,"msg":"x"}\n')).toMatch(/^<7>/);
    expect(withPriority('{"msg":"x"}\n')).toBe('{"msg":"x"}\n');
  });

  it('only when JOURNAL_STREAM names stderr itself', () => {
    expect(stderrIsJournal({})).toBe(false);
    expect(stderrIsJournal({ JOURNAL_STREAM: '1:2' })).toBe(false);
    expect(stderrIsJournal({ JOURNAL_STREAM: 'garbage' })).toBe(false);
  });
});
