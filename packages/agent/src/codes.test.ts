import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ev, FRAME_MAX, HEADER, LIVE_EXITED, LIVE_GONE, LIVE_STDIN, Op, SIGNAL_MAIN, SPAWN_STDIN, VERSION_LINE } from './codes.js';

const header = readFileSync(new URL('./frame.h', import.meta.url), 'utf8');
const define = (name: string) => new RegExp(`#define ${name} (.+?)(?:\\s*/\\*|$)`, 'm').exec(header)?.[1]?.trim();

describe('codes.ts and frame.h', () => {
  it('define the same frame types', () => {
    for (const [key, code] of Object.entries(Op)) expect(define(`OP_${key.toUpperCase()}`), key).toBe(`'${code}'`);
    for (const [key, code] of Object.entries(Ev)) expect(define(`EV_${key.toUpperCase()}`), key).toBe(`'${code}'`);
  });

  it('define the same sizes, flags and version', () => {
    expect(define('FRAME_HEADER')).toBe(String(HEADER));
    expect(define('FRAME_MAX')).toBe('(16u * 1024 * 1024)');
    expect(FRAME_MAX).toBe(16 * 1024 * 1024);
    expect(define('SPAWN_STDIN')).toBe(`${SPAWN_STDIN}u`);
    expect(define('SIGNAL_MAIN')).toBe(`${SIGNAL_MAIN}u`);
    expect(define('LIVE_STDIN')).toBe(`${LIVE_STDIN}u`);
    expect(define('LIVE_EXITED')).toBe(`${LIVE_EXITED}u`);
    expect(define('LIVE_GONE')).toBe(`${LIVE_GONE}u`);
    expect(define('VERSION_LINE')).toBe(JSON.stringify(VERSION_LINE));
  });
});
