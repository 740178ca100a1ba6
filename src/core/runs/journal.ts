// The journal of a fan-out run: an append-only log of each recipient's state beside its plan. A recipient is journaled
// as `sending`, synced to disk, *before* its request goes out; so after a crash, kill -9 or Ctrl-C nobody can have been
// sent without a trace. Appends share their disk flushes (group commit): appending with a sync is this file's own job,
// not the replace-whole writes of util/atomic-file.
import { open, type FileHandle } from 'node:fs/promises';
import { withPath, writeAll } from '../../util/atomic-file.js';
import { journalFile } from './paths.js';
import type { RunHeader } from './plan.js';
import type { JournalEvent, MoveEvent, RunState } from './state.js';

/** How long a commit waits for other sends to share its disk flush: a few ms of latency instead of a flush per send. */
const GROUP_MS = 25;
/** Events that need not be durable at once (a send's answer) reach the file within this time, or with the next flush. */
const LAZY_MS = 100;

export class Journal {
  private pending = '';
  private appended = 0;
  private waiters: { seq: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private pumping: Promise<void> | undefined;
  private lazyTimer: NodeJS.Timeout | undefined;
  private failed: unknown;

  private constructor(
    readonly dir: string,
    readonly header: RunHeader,
    readonly state: RunState,
    private readonly handle: FileHandle,
    private groupMs: number,
  ) {}

  /**
   * Sets the commit window for a pace: long enough to share a flush among the sends of a few milliseconds, short
   * enough that waiting for it never holds `concurrency` requests back from the rate (at most GROUP_MS).
   */
  pace(rate: number, concurrency: number): void {
    this.groupMs = Math.min(GROUP_MS, (concurrency / rate) * 500);
  }

  static async open(dir: string, header: RunHeader, state: RunState, opts: { groupMs?: number } = {}): Promise<Journal> {
    return new Journal(dir, header, state, await open(journalFile(dir), 'a', 0o600), opts.groupMs ?? GROUP_MS);
  }

  /**
   * Appends an event; `durable` waits until it is on disk with everything before it. The others are written with the
   * next flush or within LAZY_MS: one lost in a crash leaves its recipient `sending`, which a continued run asks the
   * server about, so it costs a lookup, never a second send.
   */
  append(e: JournalEvent, durable: boolean): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    this.state.apply(e);
    return this.line(JSON.stringify(e), durable);
  }

  /** The journal's first line, on disk before any send: a journal without it was lost or emptied. */
  async opening(): Promise<void> {
    this.state.opened = true;
    await this.line(JSON.stringify({ open: new Date().toISOString() }), true);
  }

  /** Moves the unfinished share of session `from` to `to`, on disk before anything is sent. */
  async move(from: string, to: string): Promise<void> {
    const e: MoveEvent = { move: from, to, at: new Date().toISOString() };
    this.state.applyMove(e);
    await this.line(JSON.stringify(e), true);
  }

  /** Makes everything appended so far durable. */
  sync(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return this.durable(this.appended);
  }

  /** Writes the closing line (after everything else, unless a write failed) and closes the file. */
  async close(): Promise<void> {
    clearTimeout(this.lazyTimer);
    if (this.failed === undefined) await this.line(JSON.stringify({ closed: new Date().toISOString() }), true).catch(() => undefined);
    await this.sync().catch(() => undefined);
    await this.handle.close();
  }

  private line(text: string, durable: boolean): Promise<void> {
    this.pending += `${text}\n`;
    const seq = ++this.appended;
    if (durable) return this.durable(seq);
    if (this.pending.length >= 1 << 16) this.pump();
    else this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      this.pump();
    }, LAZY_MS).unref();
    return Promise.resolve();
  }

  private durable(seq: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
    this.pump();
    return done;
  }

  /**
   * Group commit: one write and one datasync cover every event appended before they started, so many sends in flight
   * cost one disk flush, not one each. Writes never overlap: the file keeps the order of the events.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = (async () => {
      for (;;) {
        const sync = this.waiters.length > 0;
        if (!sync && this.pending === '') return;
        if (sync && this.groupMs > 0) await new Promise((r) => setTimeout(r, this.groupMs));
        const data = this.pending;
        const upTo = this.appended;
        this.pending = '';
        try {
          // Every byte, or an error: a short write taken as whole would let a message leave without its line.
          if (data) await writeAll(this.handle, data);
          if (sync) await this.handle.datasync();
        } catch (err) {
          this.failed ??= withPath(err, journalFile(this.dir));
          for (const w of this.waiters.splice(0)) w.reject(err);
          return;
        }
        while (this.waiters.length > 0 && this.waiters[0]!.seq <= upTo) this.waiters.shift()!.resolve();
      }
    })().finally(() => {
      this.pumping = undefined;
      // Something may have arrived between the last look and now.
      if (this.failed === undefined && (this.waiters.length > 0 || this.pending !== '')) this.pump();
    });
  }
}
