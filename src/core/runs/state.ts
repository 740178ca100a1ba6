// What a run's journal says: each recipient's state (one byte each), replayed from the append-only log of events. A
// line that cannot be read is never skipped in silence: it marks the state untrusted, and the run then asks the server
// about every recipient not known to be settled.
import { fileLines } from './file-lines.js';
import { journalFile } from './paths.js';

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
