// One run per send at a time: a lock file created exclusively, holding who took it. A lock left by a process that
// died on this host is taken over; a live holder means another run (a cron overlap) is sending right now.
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(`another run (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) holds ${lockFile}`);
    this.name = 'LockHeldError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(file: string, now: () => number = Date.now): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date(now()).toISOString() };
  // The holder's details are written to a private file first and then linked into place: link() fails if the lock
  // exists, and a lock file is never seen half-written (a reader that saw an empty file could think it stale).
  const mine = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  const h = await open(mine, 'wx', 0o600);
  await h.write(JSON.stringify(me));
  await h.sync();
  await h.close();
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(mine, file);
        return async () => {
          await rm(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: LockHolder;
      try {
        holder = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released in the meantime
        throw new LockHeldError(file, { pid: 0, host: 'unknown', startedAt: 'unknown (unreadable lock file)' });
      }
      if (holder.host !== me.host || alive(holder.pid)) throw new LockHeldError(file, holder);
      await rm(file, { force: true }); // stale: its holder is gone
    }
  } finally {
    await rm(mine, { force: true });
  }
  throw new Error(`could not take the lock ${file}`);
}
