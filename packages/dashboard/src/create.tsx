/** The “New sandbox” form: profile, name, limits and persist, as container.create takes them. */
import { useEffect, useState } from 'preact/hooks';
import type { RpcTransport } from '@pocketdock/client/browser';
import type { CreateOptions, ProfileInfo } from '@pocketdock/protocol';
import { Modal } from './dialog.js';
import { attempt, refusal, reportInfo, type Refusal } from './notices.js';

export function CreateDialog({ transport, onClose }: { transport: RpcTransport; onClose: (created?: string) => void }) {
  const [profiles, setProfiles] = useState<ProfileInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<Refusal>();
  useEffect(() => {
    void attempt('Listing profiles failed', async () => setProfiles(await transport.call('profile.list', {})));
  }, [transport]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const el = e.currentTarget as HTMLFormElement;
    const form = new FormData(el);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const opts: CreateOptions = {
      ...(text('profile') && { profile: text('profile') }),
      ...(text('name') && { name: text('name') }),
      ...(text('memLimit') && { memLimit: text('memLimit') }),
      ...(text('cpuPercent') && { cpuPercent: Number(text('cpuPercent')) }),
      persist: form.get('persist') === 'on',
    };
    setBusy(true);
    setRefused(undefined);
    // Said in the dialog, beside what was typed: the page's message area is behind the modal dialog.
    const handle = await transport.call('container.create', opts).catch((err: unknown) => void setRefused(refusal(err, el)));
    setBusy(false);
    if (!handle) return;
    reportInfo(`Created ${handle.name}`);
    onClose(handle.name);
  };

  /** Marks the input the daemon refused, and points it to why. */
  const checked = (field: string) =>
    refused?.field === field ? { 'aria-invalid': true, 'aria-describedby': 'create-refused' } : { 'aria-invalid': false };

  return (
    <Modal title="New sandbox" onClose={() => onClose()}>
      <form class="grid" onSubmit={(e) => void submit(e)}>
        <label for="create-profile">Profile</label>
        <select id="create-profile" name="profile">
          <option value="">default (minimal-python)</option>
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} — {p.description}
            </option>
          ))}
        </select>
        <label for="create-name">Name</label>
        <input
          id="create-name"
          name="name"
          {...checked('name')}
          placeholder="pd-… (generated)"
          pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
          maxLength={128}
          autofocus
        />
        <label for="create-mem">Memory limit</label>
        <input id="create-mem" name="memLimit" {...checked('memLimit')} placeholder="e.g. 256m" pattern="[0-9]+(\.[0-9]+)?[bkmgBKMG]?" />
        <label for="create-cpu">CPU %</label>
        <input
          id="create-cpu"
          name="cpuPercent"
          {...checked('cpuPercent')}
          type="number"
          min="1"
          max="100"
          step="any"
          placeholder="unlimited"
        />
        <span />
        <label class="check">
          <input name="persist" type="checkbox" /> Persist: without it, the sandbox is removed once this page has been closed for the
          daemon's grace period
        </label>
        {refused && (
          <p id="create-refused" class="span refused" role="alert">
            Not created: {refused.text}
          </p>
        )}
        <div class="buttons span">
          <button type="button" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
