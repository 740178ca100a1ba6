// The journal of a fan-out run: the plan (every recipient and the exact values they get), written once before the
// first send, and an append-only log of each recipient's state. A recipient is journaled as `sending`, synced to
// disk, *before* its request goes out; so after a crash, kill -9 or Ctrl-C nobody can have been sent without a trace.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { OperationError } from '../../errors.js';

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
  readonly messageIds = new Map<number, string>();
  readonly errors = new Map<number, string>();
  /** Lines of the journal that could not be read (file:line: why). A damaged journal is never a reason to send. */
  readonly damage: string[] = [];
  /** Whether the journal's opening line was found: without it the journal was lost or emptied. */
  opened = false;
  /** Session moves in the order they were made: FROM → TO. */
  readonly moves = new Map<string, string>();
  // Kept up to date on every event: progress asks for counts after each send.
  private readonly counts = new Array<number>(CODES.length).fill(0);
  constructor(total: number) {
    this.codes = new Uint8Array(total);
    this.counts[0] = total;
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
    if (e.s === 'sent' && e.id) this.messageIds.set(e.i, e.id);
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

/** Writes the plan atomically and opens an empty journal. */
export async function createRun(stateDir: string, header: RunHeader, recipients: Iterable<PlannedRecipient>): Promise<Journal> {
  const dir = path.join(runsDir(stateDir), header.runId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${planFile(dir)}.tmp`;
  const h = await open(tmp, 'w', 0o600);
  try {
    let buf = `${JSON.stringify(header)}\n`;
    for (const r of recipients) {
      buf += `${JSON.stringify(r)}\n`;
      if (buf.length > 1 << 16) {
        await h.write(buf);
        buf = '';
      }
    }
    await h.write(buf);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, planFile(dir));
  const journal = await Journal.open(dir, header, new RunState(header.total));
  await journal.opening();
  return journal;
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
    const first = (await h.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0)).buffer.toString('utf8').split('\n')[0]!;
    return JSON.parse(first) as RunHeader;
  } finally {
    await h.close();
  }
}

/**
 * Replays the journal; an incomplete last line (a write cut by kill -9) is ignored. A line that cannot be read, a
 * state it does not know, or a missing opening line marks the state untrusted (see RunState.damage) instead of being
 * skipped in silence: the run then asks the server about every recipient not known to be settled.
 */
export async function replay(dir: string, total: number): Promise<RunState> {
  const state = new RunState(total);
  let text = '';
  try {
    text = await readFile(journalFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // The piece after the last newline is either empty or a torn write: never a whole event.
  const lines = text.split('\n');
  for (let n = 0; n < lines.length - 1; n++) {
    const line = lines[n]!;
    if (!line) continue;
    try {
      const e = JSON.parse(line) as JournalEvent | MoveEvent | { open: string };
      if ('open' in e) state.opened = true;
      else if ('move' in e) state.applyMove(e);
      else state.apply(e);
    } catch (err) {
      state.damage.push(`${journalFile(dir)}:${n + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return state;
}

/**
 * Streams the planned recipients without holding them all in memory. A damaged plan cannot say who is to be sent: it
 * stops with one line naming the file and the line.
 */
export async function* readPlan(dir: string): AsyncGenerator<PlannedRecipient> {
  const rl = createInterface({ input: createReadStream(planFile(dir), 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
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

export class Journal {
  private constructor(
    readonly dir: string,
    readonly header: RunHeader,
    readonly state: RunState,
    private readonly handle: FileHandle,
  ) {}

  static async open(dir: string, header: RunHeader, state: RunState): Promise<Journal> {
    return new Journal(dir, header, state, await open(journalFile(dir), 'a', 0o600));
  }

  private syncing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** Appends an event; `durable` waits until it is on disk (and everything before it). */
  async append(e: JournalEvent, durable: boolean): Promise<void> {
    this.state.apply(e);
    await this.handle.write(`${JSON.stringify(e)}\n`);
    if (durable) await this.flush();
  }

  /**
   * Group commit: one datasync covers every write made before it started. A caller arriving while a sync runs
   * shares the next one, so many sends in flight cost one disk flush, not one each.
   */
  private flush(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.handle.datasync().finally(() => (this.syncing = undefined));
      return this.syncing;
    }
    this.queued ??= this.syncing.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  /** The journal's first line, on disk before any send: a journal without it was lost or emptied. */
  async opening(): Promise<void> {
    this.state.opened = true;
    await this.handle.write(`${JSON.stringify({ open: new Date().toISOString() })}\n`);
    await this.flush();
  }

  /** Moves the unfinished share of session `from` to `to`, on disk before anything is sent. */
  async move(from: string, to: string): Promise<void> {
    const e: MoveEvent = { move: from, to, at: new Date().toISOString() };
    this.state.applyMove(e);
    await this.handle.write(`${JSON.stringify(e)}\n`);
    await this.flush();
  }

  /** Makes everything appended so far durable. */
  async sync(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    await this.handle.datasync().catch(() => undefined);
    await this.handle.close();
  }
}
