// Node's filesystem errors (a full disk, a read-only mount, a file where a folder belongs) are the machine's state, not
// a fault in wa-cli: one line naming the path, where that path comes from, and what to do.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Paths } from '../config/paths.js';
import type { Env } from '../env.js';
import { destinationOf } from '../util/atomic-file.js';

interface ErrnoError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

const isErrno = (e: unknown): e is ErrnoError => e instanceof Error && /^E[A-Z]+$/.test(String((e as ErrnoError).code)) && typeof (e as ErrnoError).syscall === 'string';

/** The errno error behind `err`: itself or the first in its `cause` chain. */
function errnoIn(err: unknown): ErrnoError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (isErrno(e)) return e;
  return undefined;
}

const VERB: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  read: 'read',
  rename: 'write',
  fsync: 'write',
  close: 'write',
  unlink: 'remove',
  rm: 'remove',
  rmdir: 'remove',
  copyfile: 'write',
  scandir: 'list',
  stat: 'check',
  lstat: 'check',
  chmod: 'set the permissions of',
};

/** The nearest part of `p` that exists and is not a folder: what stands where a folder is needed. */
function fileInTheWay(p: string): string | undefined {
  for (let dir = p; ; ) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
    } catch {
      // Missing or unreadable: look further up.
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const within = (p: string, dir: string): boolean => {
  const rel = path.relative(path.resolve(dir), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * One line for a filesystem error, or undefined when `err` is not one. The state and config folders are named with the
 * variable that moves them; any other path (an --out file) is the person's own choice.
 */
export function describeFsError(err: unknown, paths: Paths, env: Env): string | undefined {
  const e = errnoIn(err);
  if (!e?.path) return undefined;
  const shown = destinationOf(e.path);
  const where = within(shown, paths.stateDir)
    ? { what: `the state folder ${paths.stateDir}`, variable: 'WA_STATE_DIR' }
    : within(shown, paths.configDir)
      ? { what: `the config folder ${paths.configDir}`, variable: 'WA_CONFIG_DIR' }
      : undefined;
  const origin = where ? ` (in ${where.what}${env[where.variable] ? `, from ${where.variable}` : ''})` : '';
  const elsewhere = where ? `set ${where.variable} to a writable folder` : 'choose another path';
  const head = `cannot ${VERB[e.syscall ?? ''] ?? e.syscall} ${shown}${origin}`;
  switch (e.code) {
    case 'ENOSPC':
      return `${head}: no space left on the device (ENOSPC). Free some space and run again.`;
    case 'EDQUOT':
      return `${head}: the disk quota is used up (EDQUOT). Free some space or ask for a larger quota, then run again.`;
    case 'EROFS':
      return `${head}: the filesystem is read-only (EROFS). Mount it read-write or ${elsewhere}.`;
    case 'EACCES':
    case 'EPERM':
      return `${head}: permission denied (${e.code}). Give this user write access to ${path.dirname(shown)} or ${elsewhere}.`;
    case 'ENOTDIR':
    case 'EEXIST': {
      // EEXIST from mkdir: the folder's own name is taken by a file.
      if (e.code === 'EEXIST' && e.syscall !== 'mkdir') break;
      const file = fileInTheWay(shown);
      return `${head}: ${file ?? 'a part of its path'} is a file where a folder is needed (${e.code}). Move that file away or ${elsewhere}.`;
    }
    case 'EISDIR':
      return `${head}: it is a folder where a file is needed (EISDIR). Move that folder away or ${elsewhere}.`;
  }
  return `${head}: ${e.message.replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*$/, '')} (${e.code}).`;
}
