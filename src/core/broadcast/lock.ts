// A lock file that keeps two runs of the same send from overlapping (a cron job that fires while the previous one is
// still sending). The lock is written in full to a private temp file and then hard-linked into place: link() fails
// with EEXIST exactly like an O_EXCL create, but a reader can never find a lock that exists yet is still empty, and
// mistake it for a broken one. A lock whose process is gone (same host, kill(pid, 0) says ESRCH) is stale and taken
// over; taking over goes through a second, short-lived lock so that two runs cannot both take over the same one.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  startedAt: string;
  /** Anything the caller wants shown to whoever finds the lock held (e.g. the run id). */
  label?: string;
  nonce: string;
}

export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `Another run${holder.label ? ` (${holder.label})` : ''} holds ${lockPath}: pid ${holder.pid} on ${holder.hostname}, ` +
            `started ${holder.startedAt}. Wait for it to finish.`
        : `Another run holds ${lockPath}. Wait for it to finish.`,
    );
  }
}

export interface LockOptions {
  label?: string;
  /** A lock older than this is stale even when its process cannot be checked (another host). Default: never. */
  staleAfterMs?: number;
  clock?: () => number;
  /** For tests: whether a pid is alive on this host. */
  isAlive?: (pid: number) => boolean;
  pid?: number;
  hostname?: string;
}

/** Release is idempotent and removes the lock only if it is still ours. */
export type Release = () => Promise<void>;

export const lockPathFor = (stateDir: string, key: string): string =>
  path.join(stateDir, 'locks', `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);

export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<Release> {
  const clock = opts.clock ?? Date.now;
  const me: LockHolder = {
    pid: opts.pid ?? process.pid,
    hostname: opts.hostname ?? osHostname(),
    startedAt: new Date(clock()).toISOString(),
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    nonce: randomBytes(8).toString('hex'),
  };
  await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  if (await place(lockPath, me)) return releaser(lockPath, me.nonce);

  const holder = await readHolder(lockPath);
  if (holder === null) {
    // Released between our attempt and the read: try once more.
    if (await place(lockPath, me)) return releaser(lockPath, me.nonce);
    throw new LockHeldError(lockPath, (await readHolder(lockPath)) ?? undefined);
  }
  if (!(await isStale(lockPath, holder, me, opts, clock))) throw new LockHeldError(lockPath, holder);

  // Take over, under a guard lock so only one contender removes the stale file.
  const guard = `${lockPath}.takeover`;
  const guardHolder: LockHolder = { ...me, nonce: randomBytes(8).toString('hex') };
  if (!(await place(guard, guardHolder))) {
    const g = await readHolder(guard);
    // A guard is held for milliseconds; one left by a crash (dead pid, or older than 30 s) is removed.
    if (g && (await isStale(guard, g, me, { ...opts, staleAfterMs: 30_000 }, clock))) await unlink(guard).catch(() => undefined);
    throw new LockHeldError(lockPath, holder);
  }
  try {
    const again = await readHolder(lockPath);
    if (again && again.nonce !== holder.nonce) throw new LockHeldError(lockPath, again);
    if (again) await unlink(lockPath).catch(ignoreEnoent);
    if (!(await place(lockPath, me))) throw new LockHeldError(lockPath, (await readHolder(lockPath)) ?? undefined);
    return releaser(lockPath, me.nonce);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Who holds the lock, or null when there is none. An unreadable lock yields a holder with pid 0. */
export async function readHolder(lockPath: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (Number.isInteger(h.pid) && typeof h.hostname === 'string' && typeof h.nonce === 'string') return h;
  } catch {
    // fall through
  }
  return { pid: 0, hostname: '', startedAt: '', nonce: `unreadable:${text.length}` };
}

async function place(lockPath: string, who: LockHolder): Promise<boolean> {
  const tmp = `${lockPath}.${who.pid}.${who.nonce}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.write(JSON.stringify(who) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, lockPath);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function isStale(lockPath: string, h: LockHolder, me: LockHolder, opts: LockOptions, clock: () => number): Promise<boolean> {
  const alive = opts.isAlive ?? pidAlive;
  if (h.pid > 0 && h.hostname === me.hostname) return !alive(h.pid);
  if (opts.staleAfterMs === undefined) return false;
  // Another host, or an unreadable file: only age can tell.
  const since = Date.parse(h.startedAt);
  const born = Number.isFinite(since) ? since : (await stat(lockPath).catch(() => undefined))?.mtimeMs;
  return born !== undefined && clock() - born > opts.staleAfterMs;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function releaser(lockPath: string, nonce: string): Release {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    const h = await readHolder(lockPath);
    if (h && h.nonce === nonce) await unlink(lockPath).catch(ignoreEnoent);
  };
}

function ignoreEnoent(e: NodeJS.ErrnoException): void {
  if (e.code !== 'ENOENT') throw e;
}
