/** The sandbox table: one row per managed container, kept current by container.changed. */
import type { RpcTransport } from '@pocketdock/client/browser';
import type { Sandbox } from './sandboxes.js';
import { useFigures } from './stats.js';

interface Props {
  transport: RpcTransport;
  sandboxes: Sandbox[] | undefined;
  selected: string | undefined;
  onSelect: (name: string) => void;
}

export function SandboxList({ transport, sandboxes, selected, onSelect }: Props) {
  const running = (sandboxes ?? []).filter((s) => s.status === 'running').map((s) => s.id);
  const figures = useFigures(transport, running);
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
                <td>{s.lease ? `${s.lease.holder}${s.lease.connected ? '' : ' (away)'}` : '—'}</td>
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
