// The unit files in systemd/ as systemd reads them: `systemd-analyze verify` (Debian's systemd
// package; systemd need not be running) answers nothing at all for a sound unit, and a warning for
// an unknown key or a bad value, which it does not count as a failure: so its output must be empty.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SYSTEMD = new URL('../../systemd/', import.meta.url).pathname;

function verify(dir: string, user: boolean) {
  // A user manager wants a runtime dir even to check files.
  const runtime = mkdtempSync(join(tmpdir(), 'pd-xdg-'));
  try {
    const r = spawnSync(
      'systemd-analyze',
      [...(user ? ['--user'] : []), 'verify', '--man=no', join(dir, 'pocketdock.socket'), join(dir, 'pocketdock.service')],
      {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
      },
    );
    if (r.error) throw r.error;
    return { status: r.status, output: (r.stdout + r.stderr).trim() };
  } finally {
    rmSync(runtime, { recursive: true, force: true });
  }
}

const unit = (pair: string, name: string) => readFileSync(join(SYSTEMD, pair, name), 'utf8');

describe('systemd units', () => {
  for (const pair of ['system', 'user']) {
    it(`${pair}: pocketdock.socket and pocketdock.service verify without a word`, () => {
      expect(verify(join(SYSTEMD, pair), pair === 'user')).toEqual({ status: 0, output: '' });
    });

    it(`${pair}: notify readiness from a child, the socket passed first, hardened`, () => {
      const service = unit(pair, 'pocketdock.service');
      expect(service).toMatch(/^Type=notify$/m);
      expect(service).toMatch(/^NotifyAccess=all$/m);
      expect(service).toMatch(/^Requires=pocketdock\.socket$/m);
      expect(service).toMatch(/^NoNewPrivileges=yes$/m);
      expect(service).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$/m);
      expect(service).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
      // The Unix socket is the first ListenStream: the daemon takes fd 3 as its Unix socket.
      const listens = [...unit(pair, 'pocketdock.socket').matchAll(/^#?ListenStream=(.*)$/gm)].map((m) => m[1]);
      expect(listens[0]).toMatch(/\/pocketdock\/pocketdock\.sock$/);
    });
  }

  it('system: the pocketdock group may use the socket, nobody else; the service is hardened where the engine allows', () => {
    const socket = unit('system', 'pocketdock.socket');
    expect(socket).toMatch(/^SocketGroup=pocketdock$/m);
    expect(socket).toMatch(/^SocketMode=0660$/m);
    const service = unit('system', 'pocketdock.service');
    for (const directive of [
      'PrivateTmp=yes',
      'ProtectSystem=full',
      'ProtectKernelTunables=yes',
      'ProtectControlGroups=yes',
      'RestrictNamespaces=yes',
      'StateDirectory=pocketdock',
    ])
      expect(service).toContain(`\n${directive}\n`);
    expect(readFileSync(join(SYSTEMD, 'pocketdock.sysusers'), 'utf8')).toMatch(/^g pocketdock -$/m);
  });

  it('user: only its user may connect, and the daemon is pinned to rootless Podman', () => {
    expect(unit('user', 'pocketdock.socket')).toMatch(/^SocketMode=0600$/m);
    expect(unit('user', 'pocketdock.service')).toMatch(/^Environment=POCKETDOCK_SOCKET=%t\/podman\/podman\.sock$/m);
  });

  it('the check itself catches a misspelt key and a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-units-'));
    try {
      copyFileSync(join(SYSTEMD, 'system', 'pocketdock.socket'), join(dir, 'pocketdock.socket'));
      writeFileSync(
        join(dir, 'pocketdock.service'),
        unit('system', 'pocketdock.service')
          .replace(/^NotifyAccess=all$/m, 'NotifyAcess=all')
          .replace(/^ProtectSystem=full$/m, 'ProtectSystem=bogus'),
      );
      const { output } = verify(dir, false);
      expect(output).toMatch(/Unknown key 'NotifyAcess'/);
      expect(output).toMatch(/protect system value.*bogus/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
