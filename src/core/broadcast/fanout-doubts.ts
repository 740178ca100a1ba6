// The recipients of a fan-out whose message may or may not have been accepted, held until the server's listing settles
// them. Konekwa queues a message and lists it only some time after its 202, so one whose answer was lost and who is not
// in the listing may simply not be listed yet. It stays in doubt until the listing is shown to have caught up past it (a
// later message of the same session, sent after its answer was lost, is listed and it still is not) or until the settle
// window has passed since it was sent; only then is it eligible to be sent again.
import type { PlannedRecipient } from '../runs/plan.js';
import type { JournalEvent, RecipientState, RunState } from '../runs/state.js';

/** A recipient whose message may or may not have been accepted. */
export interface Doubt {
  r: PlannedRecipient;
  lane: string;
  /** The earliest moment (our clock) its message can have left: a listed message older than that is another send's. */
  from: number;
  /** The latest moment it can have left: the settle window counts from here. */
  to: number;
  /** The other side ended the exchange: a later message of its lane, listed, shows the listing has caught up past it. */
  answered: boolean;
  /** Ids of messages of its lane sent after its outcome was known and accepted (a few): its witnesses. */
  witnesses: string[];
  /** The look in which a witness was first seen listed. */
  caughtUpIn?: number;
  /** Sends issued before it arose (a later send is a witness). */
  issued: number;
}

/** What one look at the server's listing showed. */
export interface Look {
  /** Recipients in doubt that have a message of theirs, created after their attempt: the message id. */
  found: Map<number, string>;
  /** Witness ids that are listed. */
  listed: Set<string>;
}

export interface DoubtDeps {
  state: RunState;
  /** Reads the server's listing for these recipients in doubt; must not send anything. */
  look: (doubts: Doubt[]) => Promise<Look>;
  /** Journals an event (a failed write rejects, and stops the run). */
  write: (e: JournalEvent, durable: boolean) => Promise<void>;
  /** Makes everything journaled durable (a failed sync rejects, and stops the run). */
  sync: () => Promise<void>;
  settleMs: number;
  /** How often the listing is read while something is in doubt. */
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The run stops issuing (Ctrl-C, a failed write, quiet hours): waiting for evidence ends. */
  halted: () => boolean;
  noWait?: boolean | undefined;
  onWait?: ((w: { doubtful: number; untilMs: number }) => void) | undefined;
}

/** Witnesses kept per recipient in doubt: the first few later messages of its lane. */
const WITNESSES = 8;

export class Doubts {
  /** Recipients checked with the server, and how many of them it had. */
  checked = 0;
  foundOnServer = 0;
  private readonly held = new Map<number, Doubt>();
  // Those that a later message can settle, until they have their witnesses.
  private readonly awaitingWitnesses = new Set<Doubt>();
  private looks = 0;
  private lastLookAt = -Infinity;
  private looking: Promise<void> | undefined;

  constructor(private readonly d: DoubtDeps) {}

  get size(): number {
    return this.held.size;
  }

  has(i: number): boolean {
    return this.held.has(i);
  }

  /** Holds a recipient in doubt; `issued` is how many sends were issued before it arose. */
  add(x: Omit<Doubt, 'witnesses' | 'issued'>, issued: number): void {
    const entry: Doubt = { ...x, witnesses: [], issued };
    this.held.set(x.r.i, entry);
    if (entry.answered) this.awaitingWitnesses.add(entry);
  }

  /** How many of those in doubt the journal holds in one of these states. */
  countAmong(states: readonly RecipientState[]): number {
    let n = 0;
    for (const x of this.held.values()) if (states.includes(this.d.state.get(x.r.i))) n++;
    return n;
  }

  /** A message accepted through `lane`, sent as the `seq`-th: a witness for the doubts of its lane that arose before. */
  witness(lane: string, seq: number, messageId: string): void {
    for (const x of this.awaitingWitnesses) {
      if (x.lane !== lane || x.issued >= seq) continue;
      x.witnesses.push(messageId);
      if (x.witnesses.length >= WITNESSES) this.awaitingWitnesses.delete(x);
    }
  }

  /**
   * While sending, the listing is read now and then for those in doubt (the later sends are their evidence), in the
   * background: `onError` hears a listing that could not be read, `onFailed` a journal that could not be written.
   */
  lookNowAndThen(onError: (err: string) => void, onFailed: (err: unknown) => void): void {
    if (this.held.size === 0 || this.looking || this.d.now() - this.lastLookAt < this.d.pollMs) return;
    this.looking = this.look()
      .then((err) => (err === undefined ? undefined : onError(err)), onFailed)
      .finally(() => (this.looking = undefined));
  }

  /** Waits for a look in the background to end. */
  async idle(): Promise<void> {
    await this.looking;
  }

  /**
   * Reads the listing once for every recipient in doubt: found → sent; missing once the listing has caught up past it
   * (a witness listed in an earlier look) or once its settle window had passed when this look began → not sent, and
   * eligible again; anything else stays in doubt. Returns an error text when the listing could not be read.
   */
  async look(): Promise<string | undefined> {
    const { d } = this;
    const begun = d.now();
    this.lastLookAt = begun;
    const n = ++this.looks;
    const asked = [...this.held.values()];
    let seen: Look;
    try {
      seen = await d.look(asked);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    for (const x of asked) {
      if (this.held.get(x.r.i) !== x) continue;
      const id = seen.found.get(x.r.i);
      const caughtUp = x.answered && x.caughtUpIn !== undefined && x.caughtUpIn < n;
      const windowPassed = begun - x.to >= d.settleMs;
      if (id !== undefined || caughtUp || windowPassed) await this.settleOne(x, id, caughtUp);
      else if (x.answered && x.caughtUpIn === undefined && x.witnesses.some((w) => seen.listed.has(w))) x.caughtUpIn = n;
    }
    await d.sync();
    return undefined;
  }

  /** Journals what the look showed of one recipient in doubt: sent (with its message id), or not sent. */
  private async settleOne(x: Doubt, id: string | undefined, caughtUp: boolean): Promise<void> {
    const { d } = this;
    this.held.delete(x.r.i);
    this.awaitingWitnesses.delete(x);
    this.checked++;
    const at = new Date(d.now()).toISOString();
    if (id !== undefined) {
      this.foundOnServer++;
      await d.write({ i: x.r.i, s: 'sent', at, id }, false);
    } else if (d.state.get(x.r.i) === 'sending' || d.state.get(x.r.i) === 'unknown') {
      // (One held in doubt only because its journal might have lost a line is already journaled as not sent.)
      const why = caughtUp ? 'not on the server, though a later message of its session was listed' : `not on the server ${Math.round(d.settleMs / 1000)} s after it was sent`;
      await d.write({ i: x.r.i, s: 'not-sent', at, error: why }, false);
    }
  }

  /**
   * Looks until nobody is in doubt, waiting between looks; with `once` (or `noWait`) looks a single time. Returns an
   * error text when the listing could not be read.
   */
  async settle(once: boolean): Promise<string | undefined> {
    const { d } = this;
    await this.looking;
    let told = false;
    for (;;) {
      const err = await this.look();
      if (err) return err;
      if (this.held.size === 0 || once || d.noWait || d.halted()) return undefined;
      const { first, last } = this.windowEnds();
      if (!told) {
        told = true;
        d.onWait?.({ doubtful: this.held.size, untilMs: last });
      }
      await d.sleep(Math.max(1, Math.min(d.pollMs, first - d.now())));
      if (d.halted()) return undefined;
    }
  }

  /** When the first and the last settle window of those in doubt end. */
  windowEnds(): { first: number; last: number } {
    let first = Infinity;
    let last = -Infinity;
    for (const x of this.held.values()) {
      first = Math.min(first, x.to + this.d.settleMs);
      last = Math.max(last, x.to + this.d.settleMs);
    }
    return { first, last };
  }
}
