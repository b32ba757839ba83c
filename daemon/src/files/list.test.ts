import { describe, expect, it } from 'vitest';
import { parseListing } from './list.js';

describe('parseListing', () => {
  it('keeps names with spaces, quotes and newlines, sorted, directories marked', () => {
    expect(parseListing('b\0f\0new\nline\0f\0sub\0d\0a b\0l\0"q\'\0f\0')).toEqual(['"q\'', 'a b', 'b', 'new\nline', 'sub/']);
    expect(parseListing('')).toEqual([]);
  });
});
