// Projects: unit tests beside the code (no engine), integration tests in test/ (real engine, real daemon),
// and the exec and session suites once more with every command an engine exec (the daemon's --no-agent),
// so that both ways of running a command pass the same tests.
import { defineConfig } from 'vitest/config';

const integration = { testTimeout: 120_000, hookTimeout: 300_000, setupFiles: ['test/setup.ts'] };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'daemon/src/**/*.test.ts',
            'client/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/unit/**/*.test.ts',
          ],
        },
      },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...integration } },
      {
        test: {
          name: 'integration-engine-exec',
          include: ['test/integration/exec-*.test.ts', 'test/integration/hostile-exec-*.test.ts', 'test/integration/session.test.ts'],
          env: { POCKETDOCK_TEST_EXEC: 'engine' },
          ...integration,
        },
      },
    ],
  },
});
