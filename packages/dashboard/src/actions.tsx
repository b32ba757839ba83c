/** Stop, resume, reboot, snapshot and destroy; the destructive ones ask first. */
import { useState } from 'preact/hooks';
import type { RpcTransport } from '@pocketdock/client/browser';
import { Confirm, Modal } from './dialog.js';
import { attempt, reportInfo } from './notices.js';
import { isUp, type Sandbox } from './sandboxes.js';

type Asking = 'stop' | 'reboot' | 'destroy' | 'snapshot' | undefined;

export function Actions({ transport, sandbox }: { transport: RpcTransport; sandbox: Sandbox }) {
  const [asking, ask] = useState<Asking>();
  const [busy, setBusy] = useState<string>();
  const target = { container: sandbox.id };
  const up = isUp(sandbox);
  const act = async (label: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(label);
    const ok = await attempt(`${label} ${sandbox.name} failed`, async () => {
      await fn();
      return true;
    });
    setBusy(undefined);
    if (ok) reportInfo(done);
  };
  const name = sandbox.name;
  return (
    <div class="actions" aria-busy={busy !== undefined}>
      {up ? (
        <button type="button" disabled={!!busy} onClick={() => ask('stop')}>
          Stop
        </button>
      ) : (
        <button
          type="button"
          disabled={!!busy}
          onClick={() => void act('Resuming', () => transport.call('container.resume', target), `Resumed ${name}`)}
        >
          Resume
        </button>
      )}
      <button type="button" disabled={!!busy || !up} onClick={() => ask('reboot')}>
        Reboot
      </button>
      <button type="button" disabled={!!busy} onClick={() => ask('snapshot')}>
        Snapshot
      </button>
      <button type="button" class="danger" disabled={!!busy} onClick={() => ask('destroy')}>
        Destroy
      </button>
      {busy && <span class="muted">{busy}…</span>}
      {asking === 'stop' && (
        <Confirm
          title={`Stop ${name}?`}
          action="Stop"
          onClose={() => ask(undefined)}
          text="Its running commands and terminals end. Its files stay; resume it later."
          onConfirm={() => void act('Stopping', () => transport.call('container.stop', target), `Stopped ${name}`)}
        />
      )}
      {asking === 'reboot' && (
        <Confirm
          title={`Reboot ${name}?`}
          action="Reboot"
          onClose={() => ask(undefined)}
          text="Its running commands and terminals end; the container restarts with its files."
          onConfirm={() => void act('Rebooting', () => transport.call('container.reboot', target), `Rebooted ${name}`)}
        />
      )}
      {asking === 'destroy' && (
        <Confirm
          title={`Destroy ${name}?`}
          action="Destroy"
          onClose={() => ask(undefined)}
          text="The container and its files are removed for good, persistent or not."
          onConfirm={() => void act('Destroying', () => transport.call('container.destroy', target), `Destroyed ${name}`)}
        />
      )}
      {asking === 'snapshot' && (
        <Modal title={`Snapshot ${name}`} onClose={() => ask(undefined)}>
          <form
            class="grid"
            onSubmit={(e) => {
              e.preventDefault();
              const imageName = String(new FormData(e.currentTarget).get('imageName') ?? '').trim();
              ask(undefined);
              void act(
                'Snapshotting',
                () => transport.call('container.snapshot', { ...target, imageName }),
                `Saved ${name} as the image ${imageName}`,
              );
            }}
          >
            <label for="snapshot-name">Image name</label>
            <input
              id="snapshot-name"
              name="imageName"
              required
              autofocus
              placeholder="my-snapshot:v1"
              pattern="[a-z0-9][a-z0-9._/\-]*(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?"
            />
            <div class="buttons span">
              <button type="button" onClick={() => ask(undefined)}>
                Cancel
              </button>
              <button type="submit" class="primary">
                Snapshot
              </button>
            </div>
          </form>
        </Modal>
      )}
    </div>
  );
}
