/**
 * glibc's malloc_trim(0), for the quiet collection (quiet-collection.ts): it gives the system back the
 * free pages inside the C heap, where free() gives back only its top. The buffers a burst of streams
 * or transfers went through are malloc'd; once collected, they leave the heap full of holes under a
 * few live allocations: after 10 concurrent 100 MB streams, glibc's main arena held 41 MB for 3.9 MB
 * in use, and the daemon's resident memory stayed at 104 MB (idle: 58) until malloc_trim, called
 * from a debugger, took it to 65.5. Called through koffi (a foreign function interface), imported on
 * the first trim: a daemon that never went quiet after work never loads it (~3.5 MB once loaded).
 * Elsewhere (another libc, no koffi build for the platform) nothing is trimmed.
 */
type Trim = () => boolean;

let trim: Promise<Trim | undefined> | undefined;

async function load(): Promise<Trim | undefined> {
  try {
    const { load: open } = await import('koffi');
    const mallocTrim = open('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => mallocTrim(0) === 1;
  } catch {
    return undefined;
  }
}

/** Trims: true when memory went back to the system, false when none could, undefined where it cannot trim. */
export async function trimMalloc(): Promise<boolean | undefined> {
  return (await (trim ??= load()))?.();
}
