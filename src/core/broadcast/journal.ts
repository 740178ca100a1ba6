// Journal of one broadcast run, in `<stateDir>/broadcasts/`:
//   <runId>.plan.jsonl  the recipient plan, one JSON object a line, written once and atomically before any send;
//   <runId>.jsonl       a header line, then one line per recipient state change, append-only.
// A recipient's `sending` line is made durable (fdatasync) *before* its request goes out, so a crash, kill -9 or
// Ctrl-C can never leave a recipient sent without a trace. Result lines are group-committed: the next sync (the next
// `sending`, or the final flush) carries them. Replay streams both files, so memory stays flat with the recipient
// count: one byte of state per recipient, plus maps only for the few failed/unknown ones (and, on request, message ids).
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  v: 1;
  runId: string;
  /** ISO 8601. */
  createdAt: string;
  provider: string;
  template: string;
  channel: string;
  idempotencyKey: string;
  total: number;
  /** How parameters were mapped, e.g. {name: "column:Nama", promo: "literal:JULY"}; never the per-recipient values. */
  params: Record<string, string>;
  /** Where recipients came from, e.g. "file:contacts.xlsx sha256:…" or "list:123". */
  recipientsSource: string;
  /** Plan file name, relative to the journal's directory. */
  plan: string;
}

export type HeaderInput = Omit<JournalHeader, 'v' | 'plan' | 'total' | 'createdAt'> & { createdAt?: string };

/** One planned recipient: its position in the run, the number and the values its message will carry. */
export interface PlanRecipient {
  i: number;
  phone: string;
  name?: string;
  values: Record<string, string>;
}

export type RecipientStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'not-sent';
const STATUSES: readonly RecipientStatus[] = ['pending', 'sending', 'sent', 'failed', 'unknown', 'not-sent'];
const CODE = new Map(STATUSES.map((s, n) => [s, n]));

export type JournalRecord =
  | { i: number; s: 'sending'; at: string }
  | { i: number; s: 'sent'; id: string; at: string; via?: 'reconcile' }
  | { i: number; s: 'failed'; error: string; at: string; retryable: false }
  | { i: number; s: 'unknown'; error: string; at: string }
  /** The server did not act on the request (429, connection refused) or reconciling found nothing: safe to send. */
  | { i: number; s: 'not-sent'; at: string; error?: string; via?: 'reconcile' };

export class JournalError extends Error {
  override name = 'JournalError';
}

/** Current state of every recipient of a run, compact: a Uint8Array of codes and counts kept incrementally. */
export class JournalStates {
  readonly total: number;
  private readonly codes: Uint8Array;
  private readonly counts: number[];
  /** Errors of recipients that are currently failed or unknown (few, by nature). */
  readonly errors = new Map<number, string>();
  /** Message ids of sent recipients: kept only when asked for, since it grows with the run. */
  readonly messageIds: Map<number, string> | undefined;
  /** `at` of the last record applied, or undefined for a fresh run. */
  lastAt: string | undefined;

  constructor(total: number, keepMessageIds = false) {
    this.total = total;
    this.codes = new Uint8Array(total);
    this.counts = STATUSES.map((s) => (s === 'pending' ? total : 0));
    this.messageIds = keepMessageIds ? new Map() : undefined;
  }

  get(i: number): RecipientStatus {
    return STATUSES[this.codes[i]!]!;
  }

  count(s: RecipientStatus): number {
    return this.counts[CODE.get(s)!]!;
  }

  apply(r: JournalRecord): void {
    const next = CODE.get(r.s)!;
    this.counts[this.codes[r.i]!]!--;
    this.counts[next]!++;
    this.codes[r.i] = next;
    this.lastAt = r.at;
    if (r.s === 'failed' || r.s === 'unknown') this.errors.set(r.i, r.error);
    else this.errors.delete(r.i);
    if (r.s === 'sent' && this.messageIds) this.messageIds.set(r.i, r.id);
  }

  /** Indices whose state is one of `wanted`, in order, without building an array. */
  *indices(...wanted: RecipientStatus[]): Generator<number> {
    const codes = new Set(wanted.map((s) => CODE.get(s)!));
    for (let i = 0; i < this.total; i++) if (codes.has(this.codes[i]!)) yield i;
  }
}

export const broadcastsDir = (stateDir: string): string => path.join(stateDir, 'broadcasts');
export const journalPath = (stateDir: string, runId: string): string => path.join(broadcastsDir(stateDir), `${runId}.jsonl`);
export const planPathOf = (journalFile: string, header: Pick<JournalHeader, 'plan'>): string =>
  path.join(path.dirname(journalFile), header.plan);

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_ERROR = 500;

/**
 * Writes the plan (atomically: temp file, fsync, rename, fsync of the directory), then the journal header, durably.
 * Recipients are streamed: nothing is held beyond one line. Their `i` must run 0, 1, 2… in order.
 */
export async function createJournal(
  stateDir: string,
  input: HeaderInput,
  recipients: Iterable<PlanRecipient> | AsyncIterable<PlanRecipient>,
  opts: { clock?: () => number; keepMessageIds?: boolean } = {},
): Promise<Journal> {
  if (!RUN_ID.test(input.runId)) throw new JournalError(`Run id ${JSON.stringify(input.runId)} is not a valid file name.`);
  const clock = opts.clock ?? Date.now;
  const dir = broadcastsDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = journalPath(stateDir, input.runId);
  const planName = `${input.runId}.plan.jsonl`;
  const planFile = path.join(dir, planName);
  const tmp = `${planFile}.${process.pid}.tmp`;

  let total = 0;
  const ph = await open(tmp, 'wx', 0o600);
  try {
    const w = new LineWriter(ph);
    for await (const r of recipients) {
      if (r.i !== total) throw new JournalError(`Plan recipient ${total}: index is ${r.i}, expected ${total}.`);
      await w.write(JSON.stringify({ i: r.i, phone: r.phone, name: r.name, values: r.values }) + '\n');
      total++;
    }
    await w.end();
    await ph.sync();
  } catch (e) {
    await ph.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await ph.close();

  const header: JournalHeader = {
    v: JOURNAL_VERSION,
    runId: input.runId,
    createdAt: input.createdAt ?? new Date(clock()).toISOString(),
    provider: input.provider,
    template: input.template,
    channel: input.channel,
    idempotencyKey: input.idempotencyKey,
    total,
    params: input.params,
    recipientsSource: input.recipientsSource,
    plan: planName,
  };
  // 'wx': a run id is used once; a second create of the same run must not clobber its journal.
  const jh = await open(file, 'wx', 0o600).catch(async (e: NodeJS.ErrnoException) => {
    await unlink(tmp).catch(() => undefined);
    if (e.code === 'EEXIST') throw new JournalError(`Broadcast run ${input.runId} already exists at ${file}.`);
    throw e;
  });
  await rename(tmp, planFile);
  await writeAll(jh, JSON.stringify(header) + '\n');
  await jh.sync();
  await syncDir(dir);
  return new Journal(file, header, new JournalStates(total, opts.keepMessageIds), jh, clock);
}

/** Streams the plan of a run, one recipient at a time. */
export async function* readPlan(planFile: string): AsyncGenerator<PlanRecipient> {
  const lines = createInterface({ input: createReadStream(planFile, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    let r: PlanRecipient;
    try {
      r = JSON.parse(line) as PlanRecipient;
    } catch {
      throw new JournalError(`${planFile} line ${n}: not valid JSON.`);
    }
    yield r;
  }
}

export interface Replay {
  header: JournalHeader;
  states: JournalStates;
  /** True when an incomplete last line (a write cut short by kill -9 or power loss) was ignored. */
  tornTail: boolean;
  /** Byte length of the complete lines: where appending may resume. */
  goodBytes: number;
}

/**
 * Rebuilds each recipient's last state from the journal. An incomplete trailing line (no final newline) is ignored:
 * it was never acknowledged as durable, so its request never went out (for `sending`) or will be reconciled (for a
 * result, the recipient stays `sending`). A broken line anywhere else is corruption and is reported with its number.
 */
export async function replayJournal(file: string, opts: { keepMessageIds?: boolean } = {}): Promise<Replay> {
  const size = (await stat(file)).size;
  const goodBytes = await endOfLastLine(file, size);
  const tornTail = goodBytes < size;
  let header: JournalHeader | undefined;
  let states: JournalStates | undefined;
  let n = 0;
  if (goodBytes > 0) {
    const lines = createInterface({
      input: createReadStream(file, { encoding: 'utf8', start: 0, end: goodBytes - 1 }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      n++;
      if (line === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new JournalError(`${file} line ${n}: not valid JSON; the journal is damaged.`);
      }
      if (!header) {
        header = checkHeader(rec, file);
        states = new JournalStates(header.total, opts.keepMessageIds);
        continue;
      }
      states!.apply(checkRecord(rec, header.total, file, n));
    }
  }
  if (!header || !states) throw new JournalError(`${file}: no complete header line; the run never started.`);
  return { header, states, tornTail, goodBytes };
}

/** Replays a journal and opens it for appending, first cutting off a torn last line so new lines start clean. */
export async function openJournal(
  file: string,
  opts: { clock?: () => number; keepMessageIds?: boolean } = {},
): Promise<Journal> {
  const replay = await replayJournal(file, opts);
  const fh = await open(file, 'r+');
  if (replay.tornTail) {
    await fh.truncate(replay.goodBytes);
    await fh.sync();
  }
  await fh.close();
  const ah = await open(file, 'a', 0o600);
  return new Journal(file, replay.header, replay.states, ah, opts.clock ?? Date.now);
}

/**
 * An open journal. `record` applies a state change at once (in memory) and resolves when it is on disk: records
 * made while a write is in progress are written and synced together (group commit), so concurrency does not multiply
 * fsyncs. Writes are serial, so once a record is durable every earlier one is too.
 */
export class Journal {
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private pumping = false;
  private failure: unknown;
  private closed = false;
  /** How many fdatasync calls were made: group commit makes this much smaller than the number of records. */
  syncs = 0;

  constructor(
    readonly path: string,
    readonly header: JournalHeader,
    readonly states: JournalStates,
    private readonly fh: FileHandle,
    readonly clock: () => number,
  ) {}

  /** True while nothing is waiting to be written or synced. */
  get idle(): boolean {
    return !this.pumping && this.pending.length === 0;
  }

  get planPath(): string {
    return planPathOf(this.path, this.header);
  }

  now(): string {
    return new Date(this.clock()).toISOString();
  }

  record(rec: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError(`${this.path}: journal is closed.`));
    if (this.failure) return Promise.reject(this.failure);
    if (!Number.isInteger(rec.i) || rec.i < 0 || rec.i >= this.states.total) {
      return Promise.reject(new JournalError(`${this.path}: recipient index ${rec.i} is outside the plan.`));
    }
    if ('error' in rec && rec.error && rec.error.length > MAX_ERROR) rec = { ...rec, error: rec.error.slice(0, MAX_ERROR) };
    this.states.apply(rec);
    this.pending.push(JSON.stringify(rec) + '\n');
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.pumping) void this.pump();
    return done;
  }

  /** Resolves when everything recorded so far is durable; rejects if a write failed. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending.length === 0 && !this.pumping) return;
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        // Let records made in the same turn join this write.
        await new Promise<void>((r) => setImmediate(r));
        const lines = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          if (this.failure) throw this.failure;
          if (lines.length > 0) {
            await writeAll(this.fh, lines.join(''));
            await this.fh.datasync();
            this.syncs++;
          }
          for (const w of waiters) w.resolve();
        } catch (e) {
          this.failure ??= e;
          for (const w of waiters) w.reject(e);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

function checkHeader(rec: unknown, file: string): JournalHeader {
  const h = rec as Partial<JournalHeader> | null;
  if (!h || typeof h !== 'object' || h.v !== JOURNAL_VERSION || typeof h.runId !== 'string') {
    throw new JournalError(`${file} line 1: not a version ${JOURNAL_VERSION} broadcast journal header.`);
  }
  if (!Number.isInteger(h.total) || h.total! < 0 || typeof h.plan !== 'string') {
    throw new JournalError(`${file} line 1: header field total or plan is missing.`);
  }
  return h as JournalHeader;
}

function checkRecord(rec: unknown, total: number, file: string, line: number): JournalRecord {
  const r = rec as { i?: unknown; s?: unknown; id?: unknown } | null;
  if (!r || typeof r !== 'object' || !Number.isInteger(r.i) || (r.i as number) < 0 || (r.i as number) >= total) {
    throw new JournalError(`${file} line ${line}: field i is not a recipient index of this run.`);
  }
  if (typeof r.s !== 'string' || !CODE.has(r.s as RecipientStatus) || r.s === 'pending') {
    throw new JournalError(`${file} line ${line}: field s has an unknown state ${JSON.stringify(r.s)}.`);
  }
  if (r.s === 'sent' && typeof r.id !== 'string') throw new JournalError(`${file} line ${line}: a sent record without id.`);
  return r as JournalRecord;
}

/** Offset just after the last newline (0 if none): everything past it is a torn line. */
async function endOfLastLine(file: string, size: number): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024) || 1);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: FileHandle, text: string): Promise<void> {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
}

/** Batches small lines into ~64 KiB writes. */
class LineWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly fh: FileHandle) {}
  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 64 * 1024) await this.end();
  }
  async end(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await writeAll(this.fh, text);
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the renamed plan and the new journal's directory entries durable; not supported everywhere (Windows).
  const dh = await open(dir, 'r').catch(() => undefined);
  if (!dh) return;
  try {
    await dh.sync();
  } catch {
    // EISDIR/EPERM on some platforms: nothing more can be done.
  } finally {
    await dh.close();
  }
}
