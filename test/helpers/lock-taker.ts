// A separate process that takes a lock when told to: prints "ready", waits for a line on stdin, tries the lock, prints
// "acquired" or "held …", then holds what it got until stdin closes, so a racing taker cannot take it after a release.
import { createInterface } from 'node:readline';
import { acquireLock, LockHeldError } from '../../src/core/runs/lock.js';

const file = process.argv[2]!;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
let release: (() => Promise<void>) | undefined;
try {
  release = await acquireLock(file);
  process.stdout.write('acquired\n');
} catch (err) {
  process.stdout.write(err instanceof LockHeldError ? `held ${err.message}\n` : `error ${String(err)}\n`);
}
while (!(await lines.next()).done);
await release?.();
