// The fan-out: one request per recipient, paced, bounded, journaled, and never repeated blindly. Provider-free: the
// send and the look at the server's listing are injected. A recipient whose outcome is in doubt is held (see
// fanout-doubts.ts) until the listing settles it; only one shown never accepted is sent again.
import { setMaxListeners } from 'node:events';
import type { SendOutcome } from '../../providers/port.js';
import type { Journal } from '../runs/journal.js';
import type { PlannedRecipient } from '../runs/plan.js';
import type { JournalEvent } from '../runs/state.js';
import { Doubts, type Doubt, type Look } from './fanout-doubts.js';
import { RefusedAlike } from './refused-alike.js';
import { TokenBucket } from './token-bucket.js';

export interface FanoutDeps {
  journal: Journal;
  /** The plan, streamed in order. */
  plan: () => AsyncIterable<PlannedRecipient>;
  /** `signal` cancels this request alone: it fires only when the drain after Ctrl-C runs out. */
  send: (r: PlannedRecipient, signal: AbortSignal) => Promise<SendOutcome>;
  /** A reason to leave a recipient out now (opted out since the plan was written), or undefined to send. */
  skip?: (r: PlannedRecipient) => string | undefined;
  /** Reads the server's listing for these recipients in doubt; must not send anything. */
  look: (doubts: Doubt[]) => Promise<Look>;
  /**
   * The lane (a Konekwa session) a recipient is sent through. Each lane has its own pace (`rate`, `concurrency`) and
   * a `stop` outcome halts only its lane: the others go on. Default: one lane.
   */
  laneOf?: (r: PlannedRecipient) => string;
  /** Every lane the plan uses, when known: a fresh run then starts without reading the whole plan first. */
  lanes?: string[];
  rate: number;
  burst?: number;
  concurrency: number;
  /** Stop issuing at this time (quiet hours begin): what is not sent stays for a later run. */
  stopAt?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Stop issuing (Ctrl-C, SIGTERM): requests in flight may finish within `drainMs`. */
  drainMs?: number;
  signal: AbortSignal;
  /** How long after it was sent a message missing from the listing counts as never accepted (default 60 s). */
  settleMs?: number;
  /** End once only recipients in doubt are left, instead of waiting for their evidence. */
  noWait?: boolean;
  /** Told when the run starts waiting for evidence about recipients in doubt. */
  onWait?: (w: { doubtful: number; untilMs: number }) => void;
  /**
   * Ask the server about every recipient not known to be settled before sending (a continued run: its journal may
   * have lost lines that no check can see, like a cut at a line boundary). Otherwise only those in doubt are asked.
   */
  checkUnsettledFirst?: boolean;
  /** When the run last wrote anything (a continued run): lines lost from its journal were written by then. */
  lastActivityAt?: number;
  /** When the run was created: the earliest any of its messages can have left. */
  createdAt?: number;
  /** Rounds that send (default 3): a recipient is sent again at most this many times less one. */
  rounds?: number;
  /** Retries of a send that certainly did not reach the server (refused connection). */
  notSentRetries?: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  done: number;
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  ratePerSecond: number;
  elapsedMs: number;
}

export interface FanoutSummary {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  notSent: number;
  sentThisRun: number;
  alreadyDone: number;
  interrupted: boolean;
  /** Why the run stopped before the end (a disconnected session, credentials, a server error). */
  stopped?: string;
  /** Each lane that stopped, with why (with several lanes the others went on). */
  stoppedLanes: Record<string, string>;
  /** `stopAt` came before the end: issuing stopped there. */
  stopAtReached: boolean;
  reconcileError?: string;
  /** Recipients checked with the server, and how many of them it had. */
  checked: number;
  foundOnServer: number;
  /** Recipients still in doubt at the end (with `noWait`, or stopped early), and when the last one's window ends. */
  doubtful: number;
  settlesAt?: number;
  elapsedMs: number;
}

/** The journal could not be written: nothing more is sent, since nothing may leave without its trace on disk. */
export class JournalWriteError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'JournalWriteError';
  }
}

export const DEFAULT_SETTLE_MS = 60_000;
const PROGRESS_MS = 100;

export function runFanout(d: FanoutDeps): Promise<FanoutSummary> {
  return new Fanout(d).run();
}

/** One run of the fan-out: its lanes, their pacing, the recipients in doubt, and what it has done so far. */
class Fanout {
  private readonly journal: Journal;
  private readonly now: () => number;
  private readonly total: number;
  private readonly started: number;
  private readonly laneOf: (r: PlannedRecipient) => string;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly stoppedLanes = new Map<string, string>();
  private readonly refusedAlike = new RefusedAlike();
  private readonly lanes: string[] = [];
  private readonly doubts: Doubts;
  // Requests in flight are let finish after Ctrl-C, for a while: cut off, each would be an unknown to reconcile.
  private readonly requests = new AbortController();
  private drainTimer: NodeJS.Timeout | undefined;
  private stopAtReached = false;
  private sentThisRun = 0;
  private alreadyDone = 0;
  private issued = 0;
  private reconcileError: string | undefined;
  private writeError: JournalWriteError | undefined;
  private reportedAt = -Infinity;

  constructor(private readonly d: FanoutDeps) {
    this.journal = d.journal;
    this.now = d.now;
    this.total = d.journal.header.total;
    this.started = d.now();
    this.laneOf = d.laneOf ?? (() => '');
    const settleMs = d.settleMs ?? DEFAULT_SETTLE_MS;
    this.doubts = new Doubts({
      state: d.journal.state,
      look: d.look,
      write: (e, durable) => this.write(e, durable),
      sync: () => this.sync(),
      settleMs,
      // How often the listing is read while something is in doubt: often enough to see a later message listed soon
      // after it is, rarely enough that a long window costs few pages.
      pollMs: Math.min(3000, Math.max(250, Math.round(settleMs / 20))),
      now: d.now,
      sleep: d.sleep,
      halted: () => this.halted(),
      noWait: d.noWait,
      onWait: d.onWait,
    });
    // One listener per request in flight: with high concurrency that is more than Node's default warning level.
    setMaxListeners(0, this.requests.signal);
  }

  async run(): Promise<FanoutSummary> {
    const onStop = (): void => {
      this.drainTimer = setTimeout(() => this.requests.abort(new Error('stopped waiting for the answer')), this.d.drainMs ?? 5000);
    };
    if (this.d.signal.aborted) onStop();
    else this.d.signal.addEventListener('abort', onStop, { once: true });
    try {
      await this.findDoubts();
      if (this.doubts.size > 0) {
        const err = await this.doubts.settle(false);
        if (err) return this.summary(err);
      }
      await this.sendRounds();
      return this.summary(this.reconcileError);
    } finally {
      await this.doubts.idle();
      clearTimeout(this.drainTimer);
      this.d.signal.removeEventListener('abort', onStop);
    }
  }

  /**
   * Anything left `sending` or `unknown` by an earlier run may have been sent: it is in doubt. A journal that was lost,
   * damaged or may have lost lines at its end (no closing line: a crash, or a cut) cannot say who was sent, so a
   * continued run holds every recipient not known to be settled in doubt too, from the last line it has (or the run's
   * start) to the last time anything was written. Also learns the lanes the plan uses.
   */
  private async findDoubts(): Promise<void> {
    const { d, now } = this;
    const state = this.journal.state;
    const askAll = !state.trusted || (d.checkUnsettledFirst === true && !state.closed);
    const lastLine = state.trusted && state.lastAt ? Date.parse(state.lastAt) : undefined;
    const earliest = d.createdAt ?? 0;
    const latest = Math.max(d.lastActivityAt ?? now(), lastLine ?? -Infinity);
    if (d.lanes && !askAll && state.count('sending') + state.count('unknown') === 0) {
      // A fresh run: nobody is in doubt, and the lanes are known without reading the plan.
      for (const lane of d.lanes) if (!this.lanes.includes(lane)) this.lanes.push(lane);
      return;
    }
    for await (const r of d.plan()) {
      const lane = this.laneOf(r);
      if (!this.lanes.includes(lane)) this.lanes.push(lane);
      const s = state.get(r.i);
      if (s === 'sending' || s === 'unknown') {
        const at = state.attemptAt.get(r.i);
        this.doubts.add({ r, lane, from: at ?? earliest, to: state.unknownAt.get(r.i) ?? (s === 'sending' ? latest : at ?? latest), answered: false }, this.issued);
      } else if (askAll && s !== 'sent' && s !== 'failed') {
        this.doubts.add({ r, lane, from: lastLine ?? earliest, to: latest, answered: false }, this.issued);
      }
    }
  }

  /**
   * Rounds: send everything eligible, paced and bounded; then settle what is in doubt (waiting for the listing's
   * evidence) and send again only those the server shows it never accepted. A few rounds settle almost everything.
   */
  private async sendRounds(): Promise<void> {
    const state = this.journal.state;
    for (let rounds = 0, round = 0; ; round++) {
      const eligible = (await Promise.all(this.lanes.map((lane) => this.sendLane(lane, round)))).reduce((a, b) => a + b, 0);
      if (eligible > 0) rounds++;
      this.progress(true);
      await this.doubts.idle();
      if (this.writeError) throw this.writeError;
      if (this.reconcileError) return;
      const stopped = this.lanes.every((l) => this.stoppedLanes.has(l));
      if (this.doubts.size > 0) {
        // A run that stops anyway only looks once: the next run settles the rest.
        this.reconcileError = await this.doubts.settle(this.halted() || stopped);
        if (this.reconcileError) return;
      }
      const leftToSend = state.count('pending') + state.count('not-sent') - this.doubts.countAmong(['pending', 'not-sent']) > 0;
      if (this.halted() || stopped || !leftToSend || this.doubts.size > 0 || (eligible === 0 && round > 0) || rounds >= (this.d.rounds ?? 3)) return;
    }
  }

  /**
   * One lane's share of a round: its recipients in plan order, at its own pace and concurrency, until it is done or
   * stopped. Returns how many were eligible.
   */
  private async sendLane(lane: string, round: number): Promise<number> {
    const { d } = this;
    const state = this.journal.state;
    const inFlight = new Set<Promise<void>>();
    // Woken when a request ends (Promise.race over the set would add a reaction to every pending request each time).
    let slotFreed: (() => void) | undefined;
    const bucket = this.bucketOf(lane);
    let eligible = 0;
    for await (const r of d.plan()) {
      if (this.laneHalted(lane)) break;
      if (this.laneOf(r) !== lane) continue;
      const s = state.get(r.i);
      if (s === 'sent' || s === 'failed') {
        if (round === 0) this.alreadyDone++;
        continue;
      }
      if ((s !== 'pending' && s !== 'not-sent') || this.doubts.has(r.i)) continue;
      // Opted out since the plan was written: settled without a send.
      const left = d.skip?.(r);
      if (left) {
        await this.write({ i: r.i, s: 'failed', at: this.nowIso(), error: left }, false);
        continue;
      }
      eligible++;
      while (inFlight.size >= d.concurrency) await new Promise<void>((r) => (slotFreed = r));
      if (this.laneHalted(lane)) break;
      await bucket.take();
      if (this.laneHalted(lane)) break;
      // Journaled as sending, and on disk, before the request leaves; the loop meanwhile paces the next one.
      // (One async function rather than a then/catch/finally chain: three promises fewer per send.)
      let p: Promise<void> | undefined;
      p = (async () => {
        try {
          await this.write({ i: r.i, s: 'sending', at: this.nowIso() }, true);
          await this.sendOne(r, ++this.issued);
        } catch {
          // A failed journal write is in writeError; nothing else rejects.
        } finally {
          // The first await above comes before this, so p is set by now.
          inFlight.delete(p!);
          slotFreed?.();
          slotFreed = undefined;
        }
      })();
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    return eligible;
  }

  /** The send of one recipient, its `sending` already on disk; `seq` is its place among the sends issued. */
  private async sendOne(r: PlannedRecipient, seq: number): Promise<void> {
    const { d, now } = this;
    const state = this.journal.state;
    const lane = this.laneOf(r);
    const bucket = this.bucketOf(lane);
    let notSentTries = 0;
    for (;;) {
      const outcome = await d.send(r, this.requests.signal);
      if (outcome.kind === 'sent') {
        await this.write({ i: r.i, s: 'sent', at: this.nowIso(), id: outcome.messageId }, false);
        this.sentThisRun++;
        this.refusedAlike.sent(lane);
        bucket.succeeded();
        this.doubts.witness(lane, seq, outcome.messageId);
        break;
      }
      if (outcome.kind === 'rejected') {
        await this.write({ i: r.i, s: 'failed', at: this.nowIso(), error: outcome.error }, false);
        const alike = this.refusedAlike.refused(lane, outcome.error);
        if (alike) this.stop(lane, alike);
        break;
      }
      if (outcome.kind === 'unknown' || (outcome.kind === 'stop' && outcome.maybeActed)) {
        const at = state.attemptAt.get(r.i) ?? now();
        await this.write({ i: r.i, s: 'unknown', at: this.nowIso(), error: outcome.error }, false);
        // Its window counts from when the answer was given up on; cut off after Ctrl-C, the server may still be
        // working on it however it ended.
        this.doubts.add({ r, lane, from: at, to: now(), answered: outcome.answered === true && !this.requests.signal.aborted }, this.issued);
        if (outcome.kind === 'stop') this.stop(lane, outcome.error);
        break;
      }
      if (outcome.kind === 'stop') {
        // Refused for a reason every later send would meet too: this recipient stays to be sent, the run stops.
        await this.write({ i: r.i, s: 'not-sent', at: this.nowIso(), error: outcome.error }, false);
        this.stop(lane, outcome.error);
        break;
      }
      // The server did not act: journal that, wait as told, and send again.
      await this.write({ i: r.i, s: 'not-sent', at: this.nowIso(), error: outcome.kind === 'not-sent' ? outcome.error : 'rate limited' }, false);
      if (outcome.kind === 'rate-limited') bucket.slowDown(outcome.retryAfterMs);
      else if (++notSentTries > (d.notSentRetries ?? 3)) break;
      else await d.sleep(500 * 2 ** notSentTries);
      if (this.laneHalted(lane)) break;
      await bucket.take();
      if (this.laneHalted(lane)) break;
      await this.write({ i: r.i, s: 'sending', at: this.nowIso() }, true);
      seq = ++this.issued;
    }
    this.progress();
    this.doubts.lookNowAndThen(
      (err) => void (this.reconcileError ??= err),
      // A journal that could not be written stops the run like any other failed write.
      (err: unknown) => void (this.writeError ??= err instanceof JournalWriteError ? err : new JournalWriteError(err)),
    );
  }

  /** Reported at most every PROGRESS_MS (and at the end): a spinner shows no more, and a report per send is garbage. */
  private progress(force = false): void {
    const { d } = this;
    if (!d.onProgress) return;
    const state = this.journal.state;
    const t = this.now();
    if (!force && t - this.reportedAt < PROGRESS_MS) return;
    this.reportedAt = t;
    d.onProgress({
      done: state.count('sent') + state.count('failed') + state.count('unknown'),
      total: this.total,
      sent: state.count('sent'),
      failed: state.count('failed'),
      unknown: state.count('unknown'),
      ratePerSecond: [...this.buckets.values()].reduce((sum, b) => sum + b.rate, 0),
      elapsedMs: t - this.started,
    });
  }

  /**
   * One bucket per lane: each session is paced on its own. A burst of 2 absorbs timer lateness (a 1-token bucket loses
   * whatever a late timer overshoots) while never sending more than two back to back.
   */
  private bucketOf(lane: string): TokenBucket {
    let b = this.buckets.get(lane);
    if (!b) this.buckets.set(lane, (b = new TokenBucket(this.d.rate, this.d.burst ?? 2, this.now, this.d.sleep)));
    return b;
  }

  private async write(e: JournalEvent, durable: boolean): Promise<void> {
    try {
      await this.journal.append(e, durable);
    } catch (err) {
      this.writeError ??= new JournalWriteError(err);
      throw this.writeError;
    }
  }

  private async sync(): Promise<void> {
    try {
      await this.journal.sync();
    } catch (err) {
      throw (this.writeError ??= new JournalWriteError(err));
    }
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  private pastStopAt(): boolean {
    if (this.d.stopAt !== undefined && this.now() >= this.d.stopAt) this.stopAtReached = true;
    return this.stopAtReached;
  }

  private halted(): boolean {
    return this.d.signal.aborted || this.writeError !== undefined || this.pastStopAt();
  }

  private laneHalted(lane: string): boolean {
    return this.halted() || this.stoppedLanes.has(lane);
  }

  private stop(lane: string, error: string): void {
    if (!this.stoppedLanes.has(lane)) this.stoppedLanes.set(lane, error);
  }

  /** One lane: its error as it came; several: each named. */
  private stoppedText(): string {
    if (this.lanes.length <= 1) return [...this.stoppedLanes.values()][0]!;
    return [...this.stoppedLanes].map(([lane, error]) => `${lane}: ${error}`).join('; ');
  }

  private summary(reconcileErr?: string): FanoutSummary {
    const state = this.journal.state;
    const { last } = this.doubts.windowEnds();
    const doubtful = this.doubts.size;
    return {
      total: this.total,
      sent: state.count('sent'),
      failed: state.count('failed'),
      unknown: state.count('unknown') + state.count('sending'),
      notSent: state.count('not-sent') + state.count('pending'),
      sentThisRun: this.sentThisRun,
      alreadyDone: this.alreadyDone,
      interrupted: this.d.signal.aborted,
      ...(this.stoppedLanes.size > 0 ? { stopped: this.stoppedText() } : {}),
      stoppedLanes: Object.fromEntries(this.stoppedLanes),
      stopAtReached: this.stopAtReached,
      ...(reconcileErr ? { reconcileError: reconcileErr } : {}),
      checked: this.doubts.checked,
      foundOnServer: this.doubts.foundOnServer,
      doubtful,
      ...(doubtful > 0 ? { settlesAt: last } : {}),
      elapsedMs: this.now() - this.started,
    };
  }
}
