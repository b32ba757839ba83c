// The import boundaries of eslint.boundaries.js bite: each forbidden import below fails lint, the allowed ones pass.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import boundaries from '../../eslint.boundaries.js';

const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function problems(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['client/src/x.ts', "import { Containers } from '../../daemon/src/container/index.js';"],
    ['client/src/x.ts', "import Docker from 'dockerode';"],
    ['packages/cli/src/x.ts', "import { startDaemon } from '../../../daemon/src/daemon.js';"],
    ['daemon/src/exec/x.ts', "import type { CallContext } from '../rpc/context.js';"],
    ['daemon/src/images/x.ts', "import { buildApp } from '../server/index.js';"],
    ['daemon/src/container/x.ts', "import type Docker from 'dockerode';"],
    ['daemon/src/project/x.ts', "import { LABEL } from '../container/labels.js';"],
    ['daemon/src/rpc/x.ts', "import Docker from 'dockerode';"],
    ['daemon/src/daemon.ts', "import { connect } from '../../client/src/index.js';"],
    ['examples/x.ts', "import { connect } from '../client/src/index.js';"],
    ['examples/x.ts', "import { DEFAULTS } from '@pocketdock/protocol';"],
  ])('%s may not: %s', async (file, source) => {
    expect(await problems(file, source)).toHaveLength(1);
  });

  it.each([
    ['client/src/x.ts', "import { METHODS } from '@pocketdock/protocol';"],
    ['daemon/src/engine/x.ts', "import Docker from 'dockerode';"],
    ['daemon/src/exec/x.ts', "import type { Engine } from '../engine/index.js';"],
    ['daemon/src/rpc/x.ts', "import { Containers } from '../container/index.js';"],
    ['daemon/src/project/x.ts', "import { LABEL } from '@pocketdock/protocol';"],
    ['examples/x.ts', "import { createNewContainer } from '@pocketdock/client';"],
    ['examples/x.ts', "import { tmpdir } from 'node:os';"],
  ])('%s may: %s', async (file, source) => {
    expect(await problems(file, source)).toEqual([]);
  });
});
