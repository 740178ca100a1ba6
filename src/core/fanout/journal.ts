// The journal of a fan-out run: the plan (every recipient and the exact values they get), written once before the
// first send, and an append-only log of each recipient's state. A recipient is journaled as `sending`, synced to
// disk, *before* its request goes out; so after a crash, kill -9 or Ctrl-C nobody can have been sent without a trace.
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '../../errors.js';
import { withPath, writeAll } from '../../util/atomic-file.js';

export interface RunHeader {
  v: 1;
  runId: string;
  createdAt: string;
  provider: string;
  name: string;
  templateId: string;
  templateName: string;
  channelId: string;
  idempotencyKey: string;
  total: number;
  /** Every session of a fan-out over several (`--channel a,b`); `channelId` is the first. */
  channelIds?: string[];
  /** The template's category: quiet hours apply to a resume as to the first run. */
  category?: string;
  /** `--shard I/N` of the send, shown by `broadcast status --journal`. */
  shard?: string;
  /** The pace the run was started with; a resume keeps it unless told otherwise. */
  rate?: number;
  concurrency?: number;
}

export interface PlannedRecipient {
  i: number;
  row: number;
  phone: string;
  name: string;
  values: Record<string, string>;
  /** The message exactly as rendered and sent as `content`: what reconciliation matches on the server. */
  text: string;
  /** The session this recipient is sent through, pinned when the run spans several (else the header's channelId). */
  session?: string;
}

/** An unfinished share moved from one session to another (`--move-session FROM=TO`), kept in the journal. */
export interface MoveEvent {
  move: string;
  to: string;
  at: string;
}

export type RecipientState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'not-sent';
const CODES: RecipientState[] = ['pending', 'sending', 'sent', 'failed', 'unknown', 'not-sent'];

export interface JournalEvent {
  i: number;
  s: Exclude<RecipientState, 'pending'>;
  at: string;
  id?: string;
  error?: string;
}

/** What the journal says now: one byte per recipient, message ids and errors only where there are some. */
export class RunState {
  readonly codes: Uint8Array;
  /** Message ids by recipient, kept only when asked for (a report); a sending run leaves them in the journal. */
  readonly messageIds = new Map<number, string>();
  readonly errors = new Map<number, string>();
  /** Lines of the journal that could not be read (file:line: why). A damaged journal is never a reason to send. */
  readonly damage: string[] = [];
  /** Whether the journal's opening line was found: without it the journal was lost or emptied. */
  opened = false;
  /**
   * Whether its last line is the closing line a run writes when it ends in order: then no line can be missing at its
   * end (a crash, or a cut at a line boundary, leaves none).
   */
  closed = false;
  /** Session moves in the order they were made: FROM → TO. */
  readonly moves = new Map<string, string>();
  /**
   * When each recipient in doubt (sending, or unknown) was last sent, by our clock: what the server's listing must show
   * a message after, and what the settle window counts from. Only those in doubt are kept.
   */
  readonly attemptAt = new Map<number, number>();
  /** When the outcome of each recipient now unknown was journaled: the latest its message can have left. */
  readonly unknownAt = new Map<number, number>();
  /** The time of the last event read or written (what a journal cut at a line boundary cannot have lost). */
  lastAt: string | undefined;
  // Kept up to date on every event: progress asks for counts after each send.
  private readonly counts = new Array<number>(CODES.length).fill(0);
  private readonly keepIds: boolean;
  constructor(total: number, opts: { ids?: boolean } = {}) {
    this.codes = new Uint8Array(total);
    this.counts[0] = total;
    this.keepIds = opts.ids ?? true;
  }
  get(i: number): RecipientState {
    return CODES[this.codes[i]!]!;
  }
  /** Whether everything the journal says can be taken as it stands. */
  get trusted(): boolean {
    return this.opened && this.damage.length === 0;
  }
  apply(e: JournalEvent): void {
    const next = CODES.indexOf(e.s);
    if (!Number.isInteger(e.i) || e.i < 0 || e.i >= this.codes.length || next < 1) throw new Error(`no such recipient or state (${JSON.stringify(e).slice(0, 80)})`);
    this.counts[this.codes[e.i]!]!--;
    this.counts[next]!++;
    this.codes[e.i] = next;
    this.lastAt = e.at;
    if (e.s === 'sending') this.attemptAt.set(e.i, Date.parse(e.at));
    else if (e.s !== 'unknown') this.attemptAt.delete(e.i);
    if (e.s === 'unknown') this.unknownAt.set(e.i, Date.parse(e.at));
    else this.unknownAt.delete(e.i);
    if (e.s === 'sent' && e.id && this.keepIds) this.messageIds.set(e.i, e.id);
    if (e.error && (e.s === 'failed' || e.s === 'unknown')) this.errors.set(e.i, e.error);
    else this.errors.delete(e.i);
  }
  count(s: RecipientState): number {
    return this.counts[CODES.indexOf(s)]!;
  }
  /** The session a planned one now goes through: its own, unless its share was moved (a chain is followed). */
  sessionOf(planned: string): string {
    let s = planned;
    for (let hops = 0; hops <= this.moves.size && this.moves.has(s); hops++) s = this.moves.get(s)!;
    return s;
  }
  applyMove(e: MoveEvent): void {
    if (typeof e.move !== 'string' || typeof e.to !== 'string') throw new Error(`not a session move (${JSON.stringify(e).slice(0, 80)})`);
    // A share moved back to where it was is no move; the later move wins.
    this.moves.delete(e.to);
    if (e.move !== e.to) this.moves.set(e.move, e.to);
  }
}

/** Every session a run planned or moved to: where its messages may be found. */
export function runSessions(header: RunHeader, state: RunState): string[] {
  return [...new Set([...(header.channelIds ?? [header.channelId]), ...state.moves.keys(), ...state.moves.values()])];
}

export const runsDir = (stateDir: string): string => path.join(stateDir, 'runs');
const planFile = (dir: string) => path.join(dir, 'plan.jsonl');
const journalFile = (dir: string) => path.join(dir, 'journal.jsonl');

/**
 * The recipients of a plan written as they are checked, before the run exists (its header needs their count): a
 * 100,000-row send holds none of them in memory. Each is numbered and, over several sessions, pinned to one in turn.
 * Written with synchronous calls because the spreadsheet is checked in one synchronous pass.
 */
/** Bytes kept free at the top of a staged plan for its header line. */
const HEADER_ROOM = 8192;

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
    const dir = path.join(stateDir, 'staged');
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

/**
 * Writes the plan atomically and opens an empty journal. Anything that fails on the way (a full disk) leaves no run
 * folder behind: nothing was sent yet.
 */
export async function createRun(stateDir: string, header: RunHeader, recipients: Iterable<PlannedRecipient> | PlanStage): Promise<Journal> {
  const dir = path.join(runsDir(stateDir), header.runId);
  await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 });
  let file = planFile(dir);
  try {
    const headerLine = JSON.stringify(header);
    if (recipients instanceof PlanStage && Buffer.byteLength(headerLine) < HEADER_ROOM) {
      // The header goes into the room left for it (padded with spaces, which JSON allows), and the stage becomes the plan.
      recipients.finish();
      file = recipients.file;
      const h = await open(recipients.file, 'r+');
      try {
        await writeAll(h, `${headerLine}${' '.repeat(HEADER_ROOM - 1 - Buffer.byteLength(headerLine))}`, 0);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(recipients.file, planFile(dir));
    } else {
      const tmp = `${planFile(dir)}.tmp`;
      file = tmp;
      const h = await open(tmp, 'w', 0o600);
      try {
        let buf = `${headerLine}\n`;
        if (recipients instanceof PlanStage) {
          recipients.finish();
          await writeAll(h, buf);
          buf = '';
          for await (const line of fileLines(recipients.file)) if (line.trim()) buf = await writeSome(h, `${buf}${line}\n`);
        } else {
          for (const r of recipients) buf = await writeSome(h, `${buf}${JSON.stringify(r)}\n`);
        }
        await writeAll(h, buf);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(tmp, planFile(dir));
      if (recipients instanceof PlanStage) recipients.discard();
    }
    file = journalFile(dir);
    // A sending run keeps message ids in the journal only: memory stays flat however long the list.
    const journal = await Journal.open(dir, header, new RunState(header.total, { ids: false }));
    await journal.opening();
    return journal;
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw withPath(err, file);
  }
}

/** The latest moment anything of a run was written: its journal, its plan, or its folder (where a journal was deleted). */
export async function lastActivity(dir: string): Promise<number | undefined> {
  let latest: number | undefined;
  for (const p of [journalFile(dir), planFile(dir), dir]) {
    const t = (await stat(p).catch(() => undefined))?.mtimeMs;
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/** Writes `buf` once it holds 64 KB; returns what is left to write. */
async function writeSome(h: FileHandle, buf: string): Promise<string> {
  if (buf.length <= 1 << 16) return buf;
  await writeAll(h, buf);
  return '';
}

export async function readHeader(stateDir: string, runId: string): Promise<{ dir: string; header: RunHeader }> {
  if (!/^[\w-]+$/.test(runId)) throw new Error(`"${runId}" is not a run id`);
  const dir = path.join(runsDir(stateDir), runId);
  return { dir, header: await readHeaderAt(dir) };
}

/** The header of the run in folder `dir` (a run folder anywhere, e.g. copied from another machine). */
export async function readHeaderAt(dir: string): Promise<RunHeader> {
  const h = await open(planFile(dir), 'r');
  try {
    // The first line, however long: read in growing steps until its newline (most headers fit the first 16 KB).
    let buf = Buffer.alloc(1 << 14);
    let end = 0;
    for (;;) {
      const { bytesRead } = await h.read(buf, end, buf.length - end, end);
      const nl = buf.indexOf(10, end);
      end += bytesRead;
      if ((nl !== -1 && nl < end) || bytesRead === 0) return JSON.parse(buf.toString('utf8', 0, nl !== -1 && nl < end ? nl : end)) as RunHeader;
      if (end === buf.length) buf = Buffer.concat([buf], buf.length * 2);
    }
  } finally {
    await h.close();
  }
}

/**
 * Replays the journal; an incomplete last line (a write cut by kill -9) is ignored. A line that cannot be read, a
 * state it does not know, or a missing opening line marks the state untrusted (see RunState.damage) instead of being
 * skipped in silence: the run then asks the server about every recipient not known to be settled.
 */
export async function replay(dir: string, total: number, opts: { ids?: boolean } = {}): Promise<RunState> {
  const state = new RunState(total, opts);
  const applyLine = (line: string, n: number): void => {
    if (!line) return;
    try {
      const e = JSON.parse(line) as JournalEvent | MoveEvent | { open: string } | { closed: string };
      // Only a journal whose last line is its run's closing line is known to have lost no line at its end.
      state.closed = 'closed' in e;
      if ('open' in e) state.opened = true;
      else if ('move' in e) state.applyMove(e);
      else if (!('closed' in e)) state.apply(e);
    } catch (err) {
      state.damage.push(`${journalFile(dir)}:${n}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // The piece after the last newline is either empty or a torn write: never a whole event.
  let n = 0;
  try {
    for await (const line of fileLines(journalFile(dir), { unterminated: false })) applyLine(line, ++n);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return state;
}

/**
 * Streams the planned recipients without holding them all in memory. A damaged plan cannot say who is to be sent: it
 * stops with one line naming the file and the line.
 */
export async function* readPlan(dir: string): AsyncGenerator<PlannedRecipient> {
  let n = 0;
  for await (const line of fileLines(planFile(dir))) {
    if (++n === 1 || !line) continue;
    let r: PlannedRecipient;
    try {
      r = JSON.parse(line) as PlannedRecipient;
    } catch {
      throw planDamaged(dir, `line ${n} is not a recipient`);
    }
    if (r.i !== n - 2 || typeof r.phone !== 'string' || typeof r.text !== 'string') throw planDamaged(dir, `line ${n} is not recipient ${n - 2}`);
    yield r;
  }
}

/**
 * The lines of a file, read only as fast as they are taken: a fan-out takes one per send, so the plan is not read
 * ahead into memory (a read-ahead keeps lines alive long enough to fill the old generation with them). The bytes stay
 * in one Buffer, outside the collected heap, and each line is decoded alone: a decoded chunk would be alive at every
 * young-generation collection of a fan-out and copied by each. A newline byte never falls inside a UTF-8 sequence, so
 * decoding line by line gives what decoding the whole file would.
 */
async function* fileLines(file: string, opts: { unterminated: boolean } = { unterminated: true }): AsyncGenerator<string> {
  const h = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 14);
    // buf[start, end) holds bytes read and not yet yielded.
    let start = 0;
    let end = 0;
    for (;;) {
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      // A line longer than the buffer: a bigger one.
      if (end === buf.length) buf = Buffer.concat([buf], buf.length * 2);
      const { bytesRead } = await h.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) break;
      end += bytesRead;
      for (let nl = buf.indexOf(10, start); nl !== -1 && nl < end; nl = buf.indexOf(10, start)) {
        const line = buf.toString('utf8', start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl);
        start = nl + 1;
        yield line;
      }
    }
    if (end > start && opts.unterminated) yield buf.toString('utf8', start, end);
  } finally {
    await h.close();
  }
}

/** Reads the whole plan once to prove it is complete: every recipient from 0 to total-1, in order. */
export async function checkPlan(dir: string, total: number): Promise<void> {
  let count = 0;
  for await (const _ of readPlan(dir)) count++;
  if (count !== total) throw planDamaged(dir, `it holds ${count} of ${total} recipients`);
}

function planDamaged(dir: string, what: string): OperationError {
  return new OperationError(`The plan of this run is damaged (${planFile(dir)}: ${what}); nothing more was sent.`, {
    hint: 'Restore the file from a backup, or check who was reached with `wa-cli logs tail RUN` before sending the rest in a new run.',
  });
}


export async function listRuns(stateDir: string): Promise<RunHeader[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch {
    return [];
  }
  const out: RunHeader[] = [];
  for (const n of names.sort().reverse()) {
    try {
      out.push((await readHeader(stateDir, n)).header);
    } catch {
      // a run whose plan was never completed sent nothing
    }
  }
  return out;
}

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
