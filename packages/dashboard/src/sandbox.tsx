/** One sandbox: its lifecycle actions and its panels (run, processes, terminal, files, resources). */
import { useState } from 'preact/hooks';
import type { RpcTransport } from '@pocketdock/client/browser';
import { Actions } from './actions.js';
import { FilesPanel } from './files.js';
import { ProcessesPanel } from './processes.js';
import { ResourcesPanel } from './resources.js';
import { RunPanel } from './run.js';
import { isUp, type Sandbox } from './sandboxes.js';
import { TerminalPanel } from './terminal.js';

const TABS = ['Run', 'Processes', 'Terminal', 'Files', 'Resources'] as const;
type Tab = (typeof TABS)[number];

export interface PanelProps {
  transport: RpcTransport;
  sandbox: Sandbox;
  /** Whether the panel is on screen (panels stay mounted so a terminal or a stream survives a tab switch). */
  shown: boolean;
}

export function SandboxPanel({ transport, sandbox }: { transport: RpcTransport; sandbox: Sandbox }) {
  const [tab, setTab] = useState<Tab>('Run');
  const [opened, setOpened] = useState<Set<Tab>>(new Set(['Run']));
  const up = isUp(sandbox);
  const show = (t: Tab) => {
    setTab(t);
    setOpened((o) => new Set(o).add(t));
  };
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length]!;
    show(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <section class="sandbox" aria-label={`Sandbox ${sandbox.name}`}>
      <div class="sandbox-head">
        <h2>{sandbox.name}</h2>
        <span class={`status ${sandbox.status}`}>{sandbox.status}</span>
        <span class="muted">{sandbox.image}</span>
        <span class="spacer" />
        <Actions transport={transport} sandbox={sandbox} />
      </div>
      {!up && <p class="muted">This sandbox is {sandbox.status}: resume it to run commands, open a terminal or browse its files.</p>}
      {up && (
        <>
          <div role="tablist" aria-label="Sandbox views" onKeyDown={onKey}>
            {TABS.map((t) => (
              <button
                key={t}
                id={`tab-${t}`}
                type="button"
                role="tab"
                aria-selected={t === tab}
                aria-controls={`panel-${t}`}
                tabIndex={t === tab ? 0 : -1}
                onClick={() => show(t)}
              >
                {t}
              </button>
            ))}
          </div>
          {TABS.filter((t) => opened.has(t)).map((t) => {
            const props = { transport, sandbox, shown: t === tab };
            return (
              <div key={t} id={`panel-${t}`} role="tabpanel" aria-labelledby={`tab-${t}`} hidden={t !== tab} class="panel">
                {t === 'Run' && <RunPanel {...props} />}
                {t === 'Processes' && <ProcessesPanel {...props} />}
                {t === 'Terminal' && <TerminalPanel {...props} />}
                {t === 'Files' && <FilesPanel {...props} />}
                {t === 'Resources' && <ResourcesPanel {...props} />}
              </div>
            );
          })}
        </>
      )}
    </section>
  );
}
