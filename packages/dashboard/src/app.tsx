/** The page: who answers, the live sandbox list, the selected sandbox's panels, messages. */
import { useEffect, useState } from 'preact/hooks';
import type { Connected } from './connection.js';
import { CreateDialog } from './create.js';
import { Notices } from './notices-view.js';
import { SandboxPanel } from './sandbox.js';
import { SandboxList } from './list.js';
import { useSandboxes } from './sandboxes.js';

export function App({ conn }: { conn: Connected }) {
  const sandboxes = useSandboxes(conn.transport);
  const [selected, select] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [lost, setLost] = useState<string>();
  useEffect(() => {
    const onLost = () => setLost(String((conn.transport.signal.reason as Error | undefined)?.message ?? 'connection closed'));
    conn.transport.signal.addEventListener('abort', onLost);
    return () => conn.transport.signal.removeEventListener('abort', onLost);
  }, [conn]);
  const current = sandboxes?.find((s) => s.name === selected);
  return (
    <>
      <header>
        <h1>pocketdock</h1>
        <span class="muted">
          daemon {conn.version} · engine {conn.engineSocket}
        </span>
        <span class="spacer" />
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New sandbox
        </button>
      </header>
      {lost && (
        <p class="banner error" role="alert">
          Lost the daemon: {lost}. Reload the page once it runs again.
        </p>
      )}
      <Notices />
      <main>
        <SandboxList transport={conn.transport} sandboxes={sandboxes} selected={selected} onSelect={select} />
        {current ? (
          <SandboxPanel key={current.id} transport={conn.transport} sandbox={current} />
        ) : (
          <p class="muted empty">{sandboxes?.length ? 'Choose a sandbox to run commands, open a terminal or browse its files.' : ''}</p>
        )}
      </main>
      {creating && (
        <CreateDialog
          transport={conn.transport}
          onClose={(name) => {
            setCreating(false);
            if (name) select(name);
          }}
        />
      )}
    </>
  );
}
