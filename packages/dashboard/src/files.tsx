/**
 * A sandbox's file system: list a directory, open subdirectories, download a file or a whole
 * directory as a tar (a link to the transfer channel), upload files by dropping them on the panel
 * or choosing them.
 */
import { useEffect, useState } from 'preact/hooks';
import { putTransfer, transferUrl } from '@pocketdock/client/browser';
import { attempt, reportInfo } from './notices.js';
import type { PanelProps } from './sandbox.js';

const HOME = '/home/sandbox';
/** The most a directory download carries: larger trees are refused before, and cut short by the daemon (maxBytes) if they grow meanwhile. */
export const MAX_TREE_BYTES = 512 * 1024 * 1024;

const join = (dir: string, name: string) => `${dir.replace(/\/$/, '')}/${name}`;
const parent = (dir: string) => dir.replace(/\/[^/]+\/?$/, '') || '/';
const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Saves what the transfer channel answers for `downloadId` as the file `name`. */
function save(downloadId: string, name: string): void {
  const a = document.createElement('a');
  a.href = transferUrl(downloadId);
  a.download = name;
  a.click();
}

export function FilesPanel({ transport, sandbox, shown }: PanelProps) {
  const [dir, setDir] = useState(HOME);
  const [names, setNames] = useState<string[]>();
  const [generation, refresh] = useState(0);
  const [dragging, setDragging] = useState(false);
  const target = { container: sandbox.id };

  useEffect(() => {
    if (!shown) return;
    void attempt(`Listing ${dir} failed`, async () => setNames((await transport.call('file.list', { ...target, path: dir })).names.sort()));
  }, [transport, sandbox.id, dir, shown, generation]);

  const download = (name: string) =>
    attempt(`Downloading ${name} failed`, async () => {
      const { downloadId } = await transport.call('file.downloadStart', { ...target, path: join(dir, name), kind: 'file' });
      save(downloadId, name);
    });

  const downloadTree = (name: string) =>
    attempt(`Downloading ${name} as a tar failed`, async () => {
      const path = join(dir, name);
      // Sized first, so a tree too large is refused with a reason instead of a download broken off midway.
      const du = await transport.call('container.run', { ...target, command: `du -sb -- ${quoted(path)}` });
      const bytes = Number(/^(\d+)\s/m.exec(du.stdout)?.[1]);
      if (bytes > MAX_TREE_BYTES) {
        throw new Error(
          `${path} holds ${mib(bytes)}, more than the dashboard downloads at once (${mib(MAX_TREE_BYTES)}): copy it with pocketdock pull or the client's pull()`,
        );
      }
      const { downloadId } = await transport.call('file.downloadStart', { ...target, path, kind: 'tar', maxBytes: MAX_TREE_BYTES });
      save(downloadId, `${name}.tar`);
    });

  const upload = async (files: FileList | null | undefined) => {
    for (const file of Array.from(files ?? [])) {
      const path = join(dir, file.name);
      const done = await attempt(`Uploading ${file.name} failed`, async () => {
        const { uploadId } = await transport.call('file.uploadStart', { ...target, path, kind: 'file', size: file.size });
        return putTransfer(uploadId, file);
      });
      if (done) reportInfo(`Uploaded ${path}`, `${done.bytes} bytes`);
    }
    refresh((g) => g + 1);
  };

  return (
    <div
      class={`files${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void upload(e.dataTransfer?.files);
      }}
    >
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setDir(String(new FormData(e.currentTarget).get('path') || HOME));
        }}
      >
        <label class="sr-only" for="files-path">
          Directory
        </label>
        <input id="files-path" name="path" class="grow mono" value={dir} key={dir} />
        <button type="submit">Open</button>
        <label class="button">
          Upload files
          <input type="file" multiple class="sr-only" onChange={(e) => void upload(e.currentTarget.files)} />
        </label>
      </form>
      <ul class="entries" aria-label={`Files in ${dir}`}>
        {dir !== '/' && (
          <li>
            <button type="button" class="link mono" onClick={() => setDir(parent(dir))}>
              ../
            </button>
          </li>
        )}
        {names?.map((n) => (
          <li key={n}>
            {n.endsWith('/') ? (
              <>
                <button type="button" class="link mono" onClick={() => setDir(join(dir, n.slice(0, -1)))}>
                  {n}
                </button>
                <button
                  type="button"
                  class="tar"
                  aria-label={`Download ${n.slice(0, -1)} as a tar`}
                  title="Download as a tar"
                  onClick={() => void downloadTree(n.slice(0, -1))}
                >
                  .tar ↓
                </button>
              </>
            ) : (
              <button type="button" class="link mono" title="Download" onClick={() => void download(n)}>
                {n}
              </button>
            )}
          </li>
        ))}
      </ul>
      <p class="muted drop-hint">Drop files here to upload them to {dir}.</p>
    </div>
  );
}
