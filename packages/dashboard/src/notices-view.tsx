/** The message area: daemon errors and results, each dismissable. */
import { dismiss, useNotices } from './notices.js';

export function Notices() {
  const notices = useNotices();
  return (
    <section class="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <div>
            <strong>{n.title}</strong>
            {n.text && <div class="notice-text">{n.text}</div>}
          </div>
          <button type="button" class="ghost" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
