// Child process for the lock tests: takes the lock given as argv[2], says so on stdout, holds it until stdin closes.
import { LockHeldError, acquireLock } from '../../../../src/core/broadcast/lock.js';

const lockPath = process.argv[2]!;
try {
  const release = await acquireLock(lockPath, { label: 'run child' });
  process.stdout.write(`held ${process.pid}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void release().then(() => process.exit(0));
  });
} catch (e) {
  if (e instanceof LockHeldError) {
    process.stdout.write(`busy ${e.holder?.pid} ${e.message}\n`);
    process.exit(5);
  }
  throw e;
}
