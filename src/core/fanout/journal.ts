// The journal of a fan-out run: the plan (every recipient and the exact values they get), written once before the
// first send, and an append-only log of each recipient's state. A recipient is journaled as `sending`, synced to
// disk, *before* its request goes out; so after a crash, kill -9 or Ctrl-C nobody can have been sent without a trace.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

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
}

export interface PlannedRecipient {
  i: number;
  row: number;
  phone: string;
  name: string;
  values: Record<string, string>;
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
  // Kept up to date on every event: progress asks for counts after each send.
  private readonly counts = new Array<number>(CODES.length).fill(0);
  constructor(total: number) {
    this.codes = new Uint8Array(total);
    this.counts[0] = total;
  }
  get(i: number): RecipientState {
    return CODES[this.codes[i]!]!;
  }
  apply(e: JournalEvent): void {
    if (e.i < 0 || e.i >= this.codes.length) return;
    const next = CODES.indexOf(e.s);
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
  return Journal.open(dir, header, new RunState(header.total));
}

export async function readHeader(stateDir: string, runId: string): Promise<{ dir: string; header: RunHeader }> {
  if (!/^[\w-]+$/.test(runId)) throw new Error(`"${runId}" is not a run id`);
  const dir = path.join(runsDir(stateDir), runId);
  const h = await open(planFile(dir), 'r');
  try {
    const first = (await h.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0)).buffer.toString('utf8').split('\n')[0]!;
    return { dir, header: JSON.parse(first) as RunHeader };
  } finally {
    await h.close();
  }
}

/** Replays the journal; an incomplete last line (a write cut by kill -9) is ignored. */
export async function replay(dir: string, total: number): Promise<RunState> {
  const state = new RunState(total);
  let text = '';
  try {
    text = await readFile(journalFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // The piece after the last newline is either empty or a torn write: never a whole event.
  for (const line of text.split('\n').slice(0, -1)) {
    if (!line) continue;
    try {
      state.apply(JSON.parse(line) as JournalEvent);
    } catch {
      // A damaged line in the middle cannot come from our own appends; skip it rather than stop a resume.
    }
  }
  return state;
}

/** Streams the planned recipients without holding them all in memory. */
export async function* readPlan(dir: string): AsyncGenerator<PlannedRecipient> {
  const rl = createInterface({ input: createReadStream(planFile(dir), 'utf8'), crlfDelay: Infinity });
  let first = true;
  for await (const line of rl) {
    if (first) {
      first = false;
      continue;
    }
    if (line) yield JSON.parse(line) as PlannedRecipient;
  }
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

  /** Makes everything appended so far durable. */
  async sync(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    await this.handle.datasync().catch(() => undefined);
    await this.handle.close();
  }
}
