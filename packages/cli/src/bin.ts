#!/usr/bin/env node
// pocketdock — the command line. Its commands arrive with the CLI issue; for now it reports its version.
import { VERSION } from '@pocketdock/client';

const arg = process.argv[2];
if (arg === '--version' || arg === '-V') {
  process.stdout.write(`${VERSION}\n`);
} else {
  process.stdout.write(`pocketdock ${VERSION}\nusage: pocketdock --version\n(the commands of the reference arrive with the CLI; use the TypeScript client meanwhile)\n`);
  process.exitCode = arg === undefined || arg === '--help' || arg === '-h' ? 0 : 2;
}
