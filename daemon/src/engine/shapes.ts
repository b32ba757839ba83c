/**
 * Where Podman's compat API answers in another shape than Docker's, the answer is brought to
 * Docker's shape here, so that nothing above engine/ knows which engine it talks to.
 */
import type Docker from 'dockerode';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Podman answers `top` with one title string and one string per row; Docker with columns. */
export function topColumns(top: TopResult): TopResult {
  if (top.Titles.length !== 1 || !/\s/.test(top.Titles[0]!.trim())) return top;
  const titles = top.Titles[0]!.trim().split(/\s+/);
  const rows = top.Processes.map((row) => {
    const cells = (row[0] ?? '').trim().split(/\s+/);
    // The last column (the command line) keeps its spaces.
    return [...cells.slice(0, titles.length - 1), cells.slice(titles.length - 1).join(' ')];
  });
  return { Titles: titles, Processes: rows };
}

/** Docker's one-shot stats carry the previous sample; Podman's leave it empty. */
export function hasPreviousSample(stats: Docker.ContainerStats): boolean {
  return Boolean(stats.precpu_stats?.system_cpu_usage);
}

/** Podman qualifies image names (`localhost/<name>:latest`, `docker.io/<name>`); Docker keeps them as given. */
export function imageRef(ref: string): string {
  return ref.replace(/^(localhost|docker\.io)\//, '').replace(/:latest$/, '');
}
