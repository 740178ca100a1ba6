// Every file wa-cli writes goes through here: written to a temporary file beside its destination (same filesystem, so
// the rename is atomic), synced, and renamed into place only when complete. A reader, or a later run, sees the old
// content or the new, never half of it; a failed write leaves the old file untouched. Mode 0600, new folders 0700.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

const tempName = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
const TEMP_NAME = /^\.(.+)\.\d+\.[0-9a-f]{12}\.tmp$/;

/** The file a temporary name stands for (a failed write names what the person asked for); any other path as is. */
export function destinationOf(p: string): string {
  const m = TEMP_NAME.exec(path.basename(p));
  return m ? path.join(path.dirname(p), m[1]!) : p;
}

/** Writes a file so that a reader sees the old or the new content, never half of it; mode 0600, folder 0700. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = tempName(file);
  await createSynced(tmp, data);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Creates `file` (it must not exist yet) with all of `data`, synced and closed, mode 0600: a file that can be renamed or
 * linked into place and never be seen half-written there. On failure it is removed, and the error names it.
 */
export async function createSynced(file: string, data: string | Uint8Array): Promise<void> {
  const h = await open(file, 'wx', 0o600);
  try {
    await writeAll(h, data);
    await h.sync();
  } catch (err) {
    await h.close().catch(() => undefined);
    await rm(file, { force: true });
    throw withPath(err, file);
  }
  await h.close();
}

export interface AtomicWriter {
  write(data: string | Uint8Array): Promise<void>;
  /** Syncs, closes and renames into place. */
  commit(): Promise<void>;
  /** Removes the temporary file; the destination is left as it was. */
  abort(): Promise<void>;
}

/** A file written in pieces (a streamed export) that appears at its path only once committed. */
export async function openAtomic(file: string): Promise<AtomicWriter> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = tempName(file);
  let handle: FileHandle | undefined = await open(tmp, 'wx', 0o600);
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return {
    async write(data) {
      if (!handle) throw new Error(`${file}: written after commit or abort`);
      try {
        await writeAll(handle, data);
      } catch (err) {
        throw withPath(err, tmp);
      }
    },
    async commit() {
      try {
        await handle!.sync();
        await close();
        await rename(tmp, file);
      } catch (err) {
        await close().catch(() => undefined);
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async abort() {
      await close().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/**
 * Writes all of `data` through a handle, at `position` or at its end: a write that stops short (a disk filling up) is
 * carried on, and one that can write nothing more fails. A short write is never taken for the whole.
 */
export async function writeAll(handle: FileHandle, data: string | Uint8Array, position?: number): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, position === undefined ? null : position + at);
    if (!(bytesWritten > 0)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    at += bytesWritten;
  }
}

/**
 * A write through a handle fails without naming its file (Node knows only the descriptor): the error is given the path,
 * so the one line the person reads names it.
 */
export function withPath<E>(err: E, file: string, syscall = 'write'): E {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === 'string' && e.path === undefined) Object.assign(e, { path: file, syscall: e.syscall ?? syscall });
  return err;
}

/**
 * Checks an output path before any work (or remote call) is done for it: its folder must exist and it must not be a
 * folder itself. One line naming the flag, exit 2.
 */
export async function checkOutPath(file: string, opts: { flag?: string; shown?: string; extensions?: readonly string[] } = {}): Promise<void> {
  const flag = opts.flag ?? '--out';
  const shown = opts.shown ?? file;
  const kind = async (p: string) => {
    try {
      return (await stat(p)).isDirectory() ? 'dir' : 'file';
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT') return 'none';
      if (c === 'ENOTDIR') return 'under-file';
      throw new UsageError(`${flag} ${shown}: cannot be checked (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
    }
  };
  const self = await kind(file);
  if (self === 'dir') throw new UsageError(`${flag} ${shown} is a folder; give a file name inside it.`);
  const dir = path.dirname(file);
  const parent = await kind(dir);
  if (parent === 'none') throw new UsageError(`${flag} ${shown}: the folder ${dir} does not exist.`);
  if (parent === 'file' || self === 'under-file') throw new UsageError(`${flag} ${shown}: ${parent === 'file' ? dir : 'a part of its path'} is not a folder.`);
  if (opts.extensions) {
    const ext = path.extname(file).toLowerCase();
    if (!opts.extensions.includes(ext)) throw new UsageError(`${flag} ${shown}: write a ${opts.extensions.join(' or ')} file.`);
  }
}
