/** Asking before something that cannot be undone; --yes answers for scripts. */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './errors.js';

/** True when the person typed y/yes; without a terminal to ask on, --yes is required. */
export async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError(`${question.replace(/\?$/, '')}: refusing without --yes when not on a terminal`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
