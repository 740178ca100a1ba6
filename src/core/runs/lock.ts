// One run per send at a time: a lock file created exclusively, holding who took it. A lock left by a process that
// died on this host is taken over; a live holder means another run (a cron overlap) is sending right now.
//
// Taking over a stale lock must happen at most once per stale lock, even when two resumes of the same dead run start
// together: "remove it and create mine" lets the second taker remove the first one's fresh lock, and both send. So a
// taker first claims the stale lock by an exclusive hard link to a name derived from that lock's exact content (only
// one taker can create it), re-reads the claimed file to check it is still the stale lock it judged (not a fresh lock
// that replaced it meanwhile), and only then removes it. The lock path itself is never moved or replaced, so a live
// lock never disappears for a moment, and whoever then creates the lock first wins; the others see a live holder.
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { createSynced } from '../../util/atomic-file.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Makes every lock's content unique, so a stale lock is never confused with a later one of the same pid. */
  nonce?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(`in progress: pid ${holder.pid} on host ${holder.host} since ${holder.startedAt} (lock ${lockFile})`);
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

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** The name under which the one taker of a given stale lock claims it. */
export const claimFile = (file: string, staleText: string): string => `${file}.stale-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;

/**
 * Removes the stale lock whose content is `staleText`, unless another taker claimed it first or it is already gone;
 * the caller then tries to create its own lock again, and at most one creation succeeds.
 */
async function removeStale(file: string, staleText: string): Promise<'done' | 'busy'> {
  const claim = claimFile(file, staleText);
  try {
    await link(file, claim);
  } catch (err) {
    if (code(err) === 'ENOENT') return 'done'; // gone already: try to create ours
    if (code(err) !== 'EEXIST') throw err;
    // Another taker holds the claim for this stale lock. If it is still at the lock path, that taker is between its
    // claim and the removal (microseconds) or died there; either way this process must not remove it.
    return (await readText(file)) === staleText ? 'busy' : 'done';
  }
  try {
    // The re-check: what this process claimed is what is at the path now. If it is not the stale lock it judged, a
    // faster taker already replaced it, and the claim is just a second name of that live lock: leave the path alone.
    if ((await readText(claim)) !== staleText) return 'done';
    // Only the claim holder removes this content, and the dead holder cannot, so the path still holds it here.
    await unlink(file);
    return 'done';
  } finally {
    // Removed after the lock: a slow taker that claims this name later finds different content and backs off.
    await rm(claim, { force: true });
  }
}

/**
 * Takes the lock at `file`, or throws LockHeldError naming its live holder. A lock whose holder died on this host, or
 * whose file names no holder at all (garbage: every lock is written whole before it is linked into place, so a real
 * one is never seen half-written), is stale and taken over, with a line to `notice`.
 */
export async function acquireLock(file: string, now: () => number = Date.now, notice?: (line: string) => void): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date(now()).toISOString(), nonce: randomBytes(8).toString('hex') };
  const myText = JSON.stringify(me);
  // The holder's details are written to a private file first and then linked into place: link() fails if the lock
  // exists, and a lock file is never seen half-written (a reader that saw an empty file could think it stale).
  const mine = `${file}.${process.pid}.${me.nonce}`;
  await createSynced(mine, myText);
  try {
    for (let changes = 0, waits = 0; changes < 5; ) {
      try {
        await link(mine, file);
        return () => releaseLock(file, myText);
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const text = await readText(file);
      if (text === undefined) {
        changes++; // released in the meantime
        continue;
      }
      const holder = parseHolder(text);
      if (holder && (holder.host !== me.host || alive(holder.pid))) throw new LockHeldError(file, holder);
      if ((await removeStale(file, text)) === 'done') {
        notice?.(holder ? `took over the lock ${file}: pid ${holder.pid} that held it since ${holder.startedAt} is gone.` : `took over the lock ${file}: it named no holder (${text.length === 0 ? 'empty' : 'unreadable'}), so no run can be holding it.`);
        changes++;
        continue;
      }
      // Another process is removing this stale lock: give it a moment, then see who holds the lock.
      if (++waits > 100) {
        const stale = holder ?? { pid: 0, host: 'unknown', startedAt: 'unknown (unreadable lock file)' };
        throw new LockHeldError(file, { ...stale, startedAt: `${stale.startedAt} (dead; its takeover was interrupted: remove ${file} and ${claimFile(file, text)})` });
      }
      await delay(10);
    }
  } finally {
    await rm(mine, { force: true });
  }
  throw new Error(`could not take the lock ${file}: it changed hands too often`);
}

/** Removes the lock only while it is still this process's own: a lock that is someone else's now is left alone. */
async function releaseLock(file: string, myText: string): Promise<void> {
  // No one takes over a lock whose holder is alive, so between this read and the unlink it stays ours.
  if ((await readText(file)) !== myText) return;
  await rm(file, { force: true });
}

export type LockState = 'alive' | 'stale' | 'elsewhere' | 'unreadable';

/**
 * What a lock file left in the state folder says (for `doctor`), judged as acquireLock judges it: held by a live
 * process, stale (its process died on this host: the next run takes it over), held on another host (cannot be told
 * from here), or unreadable. Undefined when the file is gone.
 */
export async function inspectLock(file: string): Promise<{ state: LockState; holder: LockHolder | undefined } | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const holder = parseHolder(text);
  if (!holder) return { state: 'unreadable', holder: undefined };
  if (holder.host !== os.hostname()) return { state: 'elsewhere', holder };
  return { state: alive(holder.pid) ? 'alive' : 'stale', holder };
}
