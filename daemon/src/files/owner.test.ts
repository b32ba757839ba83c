import { describe, expect, it } from 'vitest';
import { parseOwner } from './owner.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\n# comment\nsandbox:x:1000:1000::/home/sandbox:/bin/bash\n';
const group = 'root:x:0:\nsandbox:x:1000:\nstaff:x:50:\n';

describe('parseOwner', () => {
  it('resolves a name, a uid and user:group in either form', () => {
    expect(parseOwner('sandbox', passwd, group)).toEqual({ uid: 1000, gid: 1000, uname: 'sandbox', gname: 'sandbox' });
    expect(parseOwner('1000', passwd, group)).toEqual({ uid: 1000, gid: 1000, uname: 'sandbox', gname: 'sandbox' });
    expect(parseOwner('sandbox:staff', passwd, group)).toEqual({ uid: 1000, gid: 50, uname: 'sandbox', gname: 'staff' });
    expect(parseOwner('2000:2000', passwd, group)).toEqual({ uid: 2000, gid: 2000, uname: '', gname: '' });
  });

  it('names what it cannot resolve', () => {
    expect(parseOwner('ghost', passwd, group)).toMatch(/"ghost" is not in the container's \/etc\/passwd/);
    expect(parseOwner('sandbox:nogroup', passwd, group)).toMatch(/group "nogroup"/);
  });
});
