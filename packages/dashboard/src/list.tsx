/** The sandbox table: one row per managed container, kept current by container.changed and container.stats. */
import type { RpcTransport } from '@pocketdock/client/browser';
import type { Lease } from '@pocketdock/protocol';
import type { Sandbox } from './sandboxes.js';
import { useLatest } from './stats.js';

interface Props {
  transport: RpcTransport;
  sandboxes: Sandbox[] | undefined;
  selected: string | undefined;
  onSelect: (name: string) => void;
}

export function SandboxList({ transport, sandboxes, selected, onSelect }: Props) {
  const running = (sandboxes ?? []).filter((s) => s.status === 'running').map((s) => s.id);
  const figures = useLatest(transport, running);
  if (!sandboxes) return <p class="muted">Loading sandboxes…</p>;
  if (sandboxes.length === 0) return <p class="muted empty">No sandboxes yet. Create one with “New sandbox”.</p>;
  return (
    <div class="list">
      <table aria-label="Sandboxes">
        <thead>
          <tr>
            <th>Name</th>
            <th>Image</th>
            <th>Status</th>
            <th>Project</th>
            <th>Persist</th>
            <th>Held by</th>
            <th>Uptime</th>
            <th class="num">CPU</th>
            <th class="num">Memory</th>
          </tr>
        </thead>
        <tbody>
          {sandboxes.map((s) => {
            const f = figures[s.id];
            return (
              <tr key={s.id} class={s.name === selected ? 'selected' : ''} data-name={s.name} onClick={() => onSelect(s.name)}>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-pressed={s.name === selected}
                    onClick={(e) => {
                      e.stopPropagation();
                      onSelect(s.name);
                    }}
                  >
                    {s.name}
                  </button>
                </td>
                <td>{s.image}</td>
                <td>
                  <span class={`status ${s.status}`}>{s.status}</span>
                </td>
                <td>{s.project || '—'}</td>
                <td>{s.persist ? 'yes' : 'no'}</td>
                <td class="lease">{leaseText(s.lease)}</td>
                <td>{s.status === 'running' ? (f?.uptime ?? '…') : '—'}</td>
                <td class="num">{s.status === 'running' && f ? `${f.cpuPercent.toFixed(1)} %` : '—'}</td>
                <td class="num">{s.status === 'running' && f ? `${f.memoryUsage}${f.memoryLimit ? ` / ${f.memoryLimit}` : ''}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Who holds a sandbox, and until when it lives when its holder is gone (the daemon pushes each change). */
function leaseText(lease: Lease | null): string {
  if (!lease) return '—';
  if (lease.connected) return lease.holder;
  const until = lease.expiresAt ? `, removed at ${new Date(lease.expiresAt).toLocaleTimeString()}` : '';
  return lease.holder === 'released' ? `released${until} unless adopted` : `${lease.holder} (away${until})`;
}
