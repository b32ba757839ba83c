/**
 * `lang` → the interpreter that runs the command text, and the check that the container's image
 * has it: a missing interpreter is an InvalidParams naming the lang and the image, not a 127 exit.
 * Only positive answers are remembered (per container), since a user may install one later.
 */
import type { Lang } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import type { ExecStart } from './run.js';
import { startRun } from './start-run.js';

const INTERPRETER: Record<Lang, string> = { sh: 'sh', bash: 'bash', python: 'python3', node: 'node' };
const FLAG: Record<Lang, string> = { sh: '-c', bash: '-c', python: '-c', node: '-e' };

export function commandArgv(command: string, lang: Lang | undefined): string[] {
  const l = lang ?? 'sh';
  return [INTERPRETER[l], FLAG[l], command];
}

export class LangCheck {
  private readonly present = new Set<string>();

  constructor(private readonly log: Logger) {}

  async ensure(where: Pick<ExecStart, 'engine' | 'containerId' | 'agent'>, image: string, lang: Lang | undefined): Promise<void> {
    if (lang === undefined || lang === 'sh') return;
    const key = `${where.containerId}\0${lang}`;
    if (this.present.has(key)) return;
    const bin = INTERPRETER[lang];
    const probe = await startRun({
      ...where,
      log: this.log,
      sink: () => undefined,
      argv: ['sh', '-c', 'command -v "$1" >/dev/null', 'pocketdock-lang', bin],
    });
    if ((await probe.finished).exitCode !== 0) {
      throw invalidParams('lang', `"${lang}" needs ${bin}, which image ${image} does not have`);
    }
    this.present.add(key);
  }
}
