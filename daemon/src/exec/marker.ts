/** The environment variable every exec's processes inherit: POCKETDOCK_EXEC=<exec id> (signal.ts). */
export const EXEC_MARKER = 'POCKETDOCK_EXEC';
