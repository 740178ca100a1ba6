// A plan staged while the spreadsheet is checked: each recipient is written as it passes its checks, so a 100,000-row
// send holds none of them in memory and its first message leaves as soon as the last row is checked.
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { withPath } from '../../util/atomic-file.js';
import { fileLines } from './file-lines.js';
import { stagedDir } from './paths.js';
import type { PlannedRecipient } from './plan.js';

/** Bytes kept free at the top of a staged plan for its header line. */
export const HEADER_ROOM = 8192;

/**
 * The recipients of a plan written as they are checked, before the run exists (its header needs their count). Each is
 * numbered and, over several sessions, pinned to one in turn. Written with synchronous calls because the spreadsheet
 * is checked in one synchronous pass.
 */
export class PlanStage {
  private fd: number | undefined;
  // Lines are copied into one buffer as they come: a string built by += would keep every line alive until a flush.
  private readonly buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private n = 0;
  private unsynced = 0;

  private constructor(
    readonly file: string,
    private readonly sessions: string[] | undefined,
  ) {
    this.fd = openSync(file, 'wx', 0o600);
    // Room for the run's header, written in place once the count is known: the stage becomes the plan by a rename.
    try {
      this.write(Buffer.from(`${' '.repeat(HEADER_ROOM - 1)}\n`));
    } catch (err) {
      this.discard();
      throw err;
    }
  }

  /** A stage in the state folder (where the run will be); stages left by a crash over a day ago are removed. */
  static async create(stateDir: string, sessions: string[]): Promise<PlanStage> {
    const dir = stagedDir(stateDir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      const f = path.join(dir, name);
      const age = Date.now() - ((await stat(f).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > 86_400_000) await unlink(f).catch(() => undefined);
    }
    return new PlanStage(path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`), sessions.length > 1 ? sessions : undefined);
  }

  /** How many recipients were added. */
  get count(): number {
    return this.n;
  }

  add(r: Omit<PlannedRecipient, 'i' | 'session' | 'text'>, text: string): void {
    const i = this.n++;
    const session = this.sessions ? this.sessions[i % this.sessions.length] : undefined;
    const line = `${JSON.stringify({ i, row: r.row, phone: r.phone, name: r.name, values: r.values, text, ...(session ? { session } : {}) })}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.used + bytes > this.buf.length) this.flush();
    if (bytes > this.buf.length) this.write(Buffer.from(line));
    else this.used += this.buf.write(line, this.used);
  }

  /** Everything added is in the file (not yet synced: the plan is, once it is copied into its run). */
  finish(): void {
    if (this.fd === undefined) return;
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The recipients staged so far, read back from the file (after `finish`). */
  async *recipients(): AsyncGenerator<PlannedRecipient> {
    this.finish();
    let n = 0;
    for await (const line of fileLines(this.file)) {
      if (n++ === 0 || !line.trim()) continue;
      yield JSON.parse(line) as PlannedRecipient;
    }
  }

  /**
   * A stage without these recipients (numbered again from 0 and pinned to the sessions in turn), in place of this one,
   * which is removed.
   */
  async without(skip: ReadonlySet<number>): Promise<PlanStage> {
    const next = new PlanStage(path.join(path.dirname(this.file), `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`), this.sessions);
    try {
      for await (const r of this.recipients()) if (!skip.has(r.i)) next.add(r, r.text);
      next.finish();
    } catch (err) {
      next.discard();
      throw err;
    }
    this.discard();
    return next;
  }

  /** Removes the stage (a refused, declined or already-sent send); a stage taken into a run is gone already. */
  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.file, { force: true });
  }

  private flush(): void {
    this.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private write(data: Buffer): void {
    if (this.fd === undefined) throw new Error('the plan stage is closed');
    try {
      for (let at = 0; at < data.length; ) {
        const n = writeSync(this.fd, data, at);
        if (!(n > 0)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        at += n;
      }
    } catch (err) {
      throw withPath(err, this.file);
    }
    // The plan must be on disk before the first send: flushing it in the background while the sheet is still being
    // checked leaves little for that last sync (a 100,000-row plan is 15 MB). Errors surface in the last sync.
    this.unsynced += data.length;
    if (this.unsynced >= 4 << 20) {
      this.unsynced = 0;
      fdatasync(this.fd, () => undefined);
    }
  }
}
