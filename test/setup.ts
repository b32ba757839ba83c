// Every integration test file: a test daemon that crashed under a test fails that test with the daemon's
// last words, which would otherwise be somewhere in the run's output while the test failed later, on a
// closed connection.
import { afterEach } from 'vitest';
import { takeDeaths } from './helpers/daemon.js';

afterEach(() => {
  const deaths = takeDeaths();
  if (deaths.length) throw new Error(deaths.join('\n\n'));
});
