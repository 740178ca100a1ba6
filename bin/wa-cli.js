#!/usr/bin/env node
// Runs the bundle (dist/cli, built by scripts/bundle.mjs). --help and --version into a pipe or a file are answered
// from commander's own output copied at build time, without loading commander.
import { cachedHelp } from '../dist/cli/help.js';

const argv = process.argv.slice(2);
const help = cachedHelp(argv, process.env, process.stdout.isTTY === true);
if (help !== undefined) {
  // A reader that went away (`| head`) is not an error.
  process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  process.stdout.write(help);
} else {
  const { main, processContextInit } = await import('../dist/cli/main.js');
  process.exitCode = await main(argv, processContextInit());
}
