// The fan-out: one request per recipient, paced, bounded, journaled, and never repeated blindly. Provider-free: the
// send and the look at the server's listing are injected.
//
// Konekwa queues a message and lists it only some time after its 202, so a recipient whose answer was lost and who is
// not in the listing may simply not be listed yet. Such a recipient stays in doubt until the listing is shown to have
// caught up past it (a later message of the same session, sent after its answer was lost, is listed and it still is
// not) or until the settle window has passed since it was sent; only then is it sent again.
import { setMaxListeners } from 'node:events';
import type { SendOutcome } from '../../providers/port.js';
import type { Journal } from '../runs/journal.js';
import type { PlannedRecipient } from '../runs/plan.js';
import { TokenBucket } from './token-bucket.js';

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
const nowIso = (now: () => number) => new Date(now()).toISOString();
const PROGRESS_MS = 100;
/** Witnesses kept per recipient in doubt: the first few later messages of its lane. */
const WITNESSES = 8;

export async function runFanout(d: FanoutDeps): Promise<FanoutSummary> {
  const { journal, now } = d;
  const state = journal.state;
  const total = journal.header.total;
  const started = now();
  const settleMs = d.settleMs ?? DEFAULT_SETTLE_MS;
  // How often the listing is read while something is in doubt: often enough to see a later message listed soon after
  // it is, rarely enough that a long window costs few pages.
  const pollMs = Math.min(3000, Math.max(250, Math.round(settleMs / 20)));
  // A burst of 2 absorbs timer lateness (a 1-token bucket loses whatever a late timer overshoots) while never
  // sending more than two back to back. One bucket per lane: each session is paced on its own.
  const laneOf = d.laneOf ?? (() => '');
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (lane: string): TokenBucket => {
    let b = buckets.get(lane);
    if (!b) buckets.set(lane, (b = new TokenBucket(d.rate, d.burst ?? 2, now, d.sleep)));
    return b;
  };
  const stoppedLanes = new Map<string, string>();
  const lanes: string[] = [];
  let stopAtReached = false;
  let sentThisRun = 0;
  let alreadyDone = 0;
  let checked = 0;
  let foundOnServer = 0;
  let reconcileError: string | undefined;
  let writeError: JournalWriteError | undefined;
  // Recipients in doubt, and those of them that a later message can settle (until they have their witnesses).
  const doubts = new Map<number, Doubt>();
  const awaitingWitnesses = new Set<Doubt>();
  let issued = 0;
  let looks = 0;
  let looking: Promise<void> | undefined;
  let lastLookAt = -Infinity;

  // Requests in flight are let finish after Ctrl-C, for a while: cut off, each would be an unknown to reconcile.
  const requests = new AbortController();
  // One listener per request in flight: with high concurrency that is more than Node's default warning level.
  setMaxListeners(0, requests.signal);
  let drainTimer: NodeJS.Timeout | undefined;
  const onStop = (): void => {
    drainTimer = setTimeout(() => requests.abort(new Error('stopped waiting for the answer')), d.drainMs ?? 5000);
  };
  if (d.signal.aborted) onStop();
  else d.signal.addEventListener('abort', onStop, { once: true });

  const write = async (e: Parameters<Journal['append']>[0], durable: boolean): Promise<void> => {
    try {
      await journal.append(e, durable);
    } catch (err) {
      writeError ??= new JournalWriteError(err);
      throw writeError;
    }
  };
  const pastStopAt = (): boolean => {
    if (d.stopAt !== undefined && now() >= d.stopAt) stopAtReached = true;
    return stopAtReached;
  };
  const halted = (): boolean => d.signal.aborted || writeError !== undefined || pastStopAt();
  const laneHalted = (lane: string): boolean => halted() || stoppedLanes.has(lane);
  const stop = (lane: string, error: string): void => {
    if (!stoppedLanes.has(lane)) stoppedLanes.set(lane, error);
  };
  const doubt = (x: Omit<Doubt, 'witnesses' | 'issued'>): void => {
    const entry: Doubt = { ...x, witnesses: [], issued };
    doubts.set(x.r.i, entry);
    if (entry.answered) awaitingWitnesses.add(entry);
  };

  try {
    // 1. Anything left `sending` or `unknown` by an earlier run may have been sent: it is in doubt. A journal that was
    // lost, damaged or may have lost lines at its end (no closing line: a crash, or a cut) cannot say who was sent, so
    // a continued run holds every recipient not known to be settled in doubt too, from the last line it has (or the
    // run's start) to the last time anything was written.
    const askAll = !state.trusted || (d.checkUnsettledFirst === true && !state.closed);
    const lastLine = state.trusted && state.lastAt ? Date.parse(state.lastAt) : undefined;
    const earliest = d.createdAt ?? 0;
    const latest = Math.max(d.lastActivityAt ?? now(), lastLine ?? -Infinity);
    if (d.lanes && !askAll && state.count('sending') + state.count('unknown') === 0) {
      // A fresh run: nobody is in doubt, and the lanes are known without reading the plan.
      for (const lane of d.lanes) if (!lanes.includes(lane)) lanes.push(lane);
    } else {
      for await (const r of d.plan()) {
        const lane = laneOf(r);
        if (!lanes.includes(lane)) lanes.push(lane);
        const s = state.get(r.i);
        if (s === 'sending' || s === 'unknown') {
          const at = state.attemptAt.get(r.i);
          doubt({ r, lane, from: at ?? earliest, to: state.unknownAt.get(r.i) ?? (s === 'sending' ? latest : at ?? latest), answered: false });
        } else if (askAll && s !== 'sent' && s !== 'failed') {
          doubt({ r, lane, from: lastLine ?? earliest, to: latest, answered: false });
        }
      }
    }
    if (doubts.size > 0) {
      const err = await settle(false);
      if (err) return summary(err);
    }

    // 2. Send the rest, paced and bounded.
    // Reported at most every PROGRESS_MS (and at the end): a spinner shows no more, and a report per send is garbage.
    let reportedAt = -Infinity;
    const progress = (force = false): void => {
      if (!d.onProgress) return;
      const t = now();
      if (!force && t - reportedAt < PROGRESS_MS) return;
      reportedAt = t;
      d.onProgress({
        done: state.count('sent') + state.count('failed') + state.count('unknown'),
        total,
        sent: state.count('sent'),
        failed: state.count('failed'),
        unknown: state.count('unknown'),
        ratePerSecond: [...buckets.values()].reduce((sum, b) => sum + b.rate, 0),
        elapsedMs: t - started,
      });
    };

    // The send of one recipient, its `sending` already on disk; `seq` is its place among the sends issued.
    const sendOne = async (r: PlannedRecipient, seq: number): Promise<void> => {
      const lane = laneOf(r);
      const bucket = bucketOf(lane);
      let notSentTries = 0;
      for (;;) {
        const outcome = await d.send(r, requests.signal);
        if (outcome.kind === 'sent') {
          await write({ i: r.i, s: 'sent', at: nowIso(now), id: outcome.messageId }, false);
          sentThisRun++;
          bucket.succeeded();
          witness(lane, seq, outcome.messageId);
          break;
        }
        if (outcome.kind === 'rejected') {
          await write({ i: r.i, s: 'failed', at: nowIso(now), error: outcome.error }, false);
          break;
        }
        if (outcome.kind === 'unknown' || (outcome.kind === 'stop' && outcome.maybeActed)) {
          const at = state.attemptAt.get(r.i) ?? now();
          await write({ i: r.i, s: 'unknown', at: nowIso(now), error: outcome.error }, false);
          // Its window counts from when the answer was given up on; cut off after Ctrl-C, the server may still be
          // working on it however it ended.
          doubt({ r, lane, from: at, to: now(), answered: outcome.answered === true && !requests.signal.aborted });
          if (outcome.kind === 'stop') stop(lane, outcome.error);
          break;
        }
        if (outcome.kind === 'stop') {
          // Refused for a reason every later send would meet too: this recipient stays to be sent, the run stops.
          await write({ i: r.i, s: 'not-sent', at: nowIso(now), error: outcome.error }, false);
          stop(lane, outcome.error);
          break;
        }
        // The server did not act: journal that, wait as told, and send again.
        await write({ i: r.i, s: 'not-sent', at: nowIso(now), error: outcome.kind === 'not-sent' ? outcome.error : 'rate limited' }, false);
        if (outcome.kind === 'rate-limited') bucket.slowDown(outcome.retryAfterMs);
        else if (++notSentTries > (d.notSentRetries ?? 3)) break;
        else await d.sleep(500 * 2 ** notSentTries);
        if (laneHalted(lane)) break;
        await bucket.take();
        if (laneHalted(lane)) break;
        await write({ i: r.i, s: 'sending', at: nowIso(now) }, true);
        seq = ++issued;
      }
      progress();
      // While sending, the listing is read now and then for those in doubt: the later sends are their evidence.
      if (doubts.size > 0 && !looking && now() - lastLookAt >= pollMs) {
        looking = look()
          .then(
            (err) => void (reconcileError ??= err),
            // A journal that could not be written stops the run like any other failed write.
            (err: unknown) => void (writeError ??= err instanceof JournalWriteError ? err : new JournalWriteError(err)),
          )
          .finally(() => (looking = undefined));
      }
    };

    // One lane's share of a round: its recipients in plan order, at its own pace and concurrency, until it is done or
    // stopped. Returns how many were eligible.
    const sendLane = async (lane: string, round: number): Promise<number> => {
      const inFlight = new Set<Promise<void>>();
      // Woken when a request ends (Promise.race over the set would add a reaction to every pending request each time).
      let slotFreed: (() => void) | undefined;
      const bucket = bucketOf(lane);
      let eligible = 0;
      for await (const r of d.plan()) {
        if (laneHalted(lane)) break;
        if (laneOf(r) !== lane) continue;
        const s = state.get(r.i);
        if (s === 'sent' || s === 'failed') {
          if (round === 0) alreadyDone++;
          continue;
        }
        if ((s !== 'pending' && s !== 'not-sent') || doubts.has(r.i)) continue;
        // Opted out since the plan was written: settled without a send.
        const left = d.skip?.(r);
        if (left) {
          await write({ i: r.i, s: 'failed', at: nowIso(now), error: left }, false);
          continue;
        }
        eligible++;
        while (inFlight.size >= d.concurrency) await new Promise<void>((r) => (slotFreed = r));
        if (laneHalted(lane)) break;
        await bucket.take();
        if (laneHalted(lane)) break;
        // Journaled as sending, and on disk, before the request leaves; the loop meanwhile paces the next one.
        // (One async function rather than a then/catch/finally chain: three promises fewer per send.)
        let p: Promise<void> | undefined;
        p = (async () => {
          try {
            await write({ i: r.i, s: 'sending', at: nowIso(now) }, true);
            await sendOne(r, ++issued);
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
    };

    // 3. Rounds: send everything eligible; then settle what is in doubt (waiting for the listing's evidence) and send
    // again only those the server shows it never accepted. A few rounds settle almost everything.
    for (let rounds = 0, round = 0; ; round++) {
      const eligible = (await Promise.all(lanes.map((lane) => sendLane(lane, round)))).reduce((a, b) => a + b, 0);
      if (eligible > 0) rounds++;
      progress(true);
      await looking;
      if (writeError) throw writeError;
      if (reconcileError) break;
      const stopped = lanes.every((l) => stoppedLanes.has(l));
      if (doubts.size > 0) {
        // A run that stops anyway only looks once: the next run settles the rest.
        reconcileError = await settle(halted() || stopped);
        if (reconcileError) break;
      }
      const leftToSend = state.count('pending') + state.count('not-sent') - countDoubtsAmong(['pending', 'not-sent']) > 0;
      if (halted() || stopped || !leftToSend || doubts.size > 0 || (eligible === 0 && round > 0) || rounds >= (d.rounds ?? 3)) break;
    }
    return summary(reconcileError);
  } finally {
    await looking;
    clearTimeout(drainTimer);
    d.signal.removeEventListener('abort', onStop);
  }

  function countDoubtsAmong(states: string[]): number {
    let n = 0;
    for (const x of doubts.values()) if (states.includes(state.get(x.r.i))) n++;
    return n;
  }

  /** A message accepted through `lane`, sent as the `seq`-th: a witness for the doubts of its lane that arose before. */
  function witness(lane: string, seq: number, messageId: string): void {
    for (const x of awaitingWitnesses) {
      if (x.lane !== lane || x.issued >= seq) continue;
      x.witnesses.push(messageId);
      if (x.witnesses.length >= WITNESSES) awaitingWitnesses.delete(x);
    }
  }

  /**
   * Reads the listing once for every recipient in doubt: found → sent; missing once the listing has caught up past it
   * (a witness listed in an earlier look) or once its settle window had passed when this look began → not sent, and
   * eligible again; anything else stays in doubt. Returns an error text when the listing could not be read.
   */
  async function look(): Promise<string | undefined> {
    const begun = now();
    lastLookAt = begun;
    const n = ++looks;
    const asked = [...doubts.values()];
    let seen: Look;
    try {
      seen = await d.look(asked);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    for (const x of asked) {
      if (doubts.get(x.r.i) !== x) continue;
      const id = seen.found.get(x.r.i);
      const caughtUp = x.answered && x.caughtUpIn !== undefined && x.caughtUpIn < n;
      const windowPassed = begun - x.to >= settleMs;
      if (id !== undefined || caughtUp || windowPassed) {
        doubts.delete(x.r.i);
        awaitingWitnesses.delete(x);
        checked++;
        if (id !== undefined) {
          foundOnServer++;
          await write({ i: x.r.i, s: 'sent', at: nowIso(now), id }, false);
        } else if (state.get(x.r.i) === 'sending' || state.get(x.r.i) === 'unknown') {
          // (One held in doubt only because its journal might have lost a line is already journaled as not sent.)
          const why = caughtUp ? 'not on the server, though a later message of its session was listed' : `not on the server ${Math.round(settleMs / 1000)} s after it was sent`;
          await write({ i: x.r.i, s: 'not-sent', at: nowIso(now), error: why }, false);
        }
      } else if (x.answered && x.caughtUpIn === undefined && x.witnesses.some((w) => seen.listed.has(w))) {
        x.caughtUpIn = n;
      }
    }
    try {
      await journal.sync();
    } catch (err) {
      throw (writeError ??= new JournalWriteError(err));
    }
    return undefined;
  }

  /**
   * Looks until nobody is in doubt, waiting between looks; with `once` (or `noWait`) looks a single time. Returns an
   * error text when the listing could not be read.
   */
  async function settle(once: boolean): Promise<string | undefined> {
    await looking;
    let told = false;
    for (;;) {
      const err = await look();
      if (err) return err;
      if (doubts.size === 0 || once || d.noWait || halted()) return undefined;
      const { first, last } = windowEnds();
      if (!told) {
        told = true;
        d.onWait?.({ doubtful: doubts.size, untilMs: last });
      }
      await d.sleep(Math.max(1, Math.min(pollMs, first - now())));
      if (halted()) return undefined;
    }
  }

  /** When the first and the last settle window of those in doubt end. */
  function windowEnds(): { first: number; last: number } {
    let first = Infinity;
    let last = -Infinity;
    for (const x of doubts.values()) {
      first = Math.min(first, x.to + settleMs);
      last = Math.max(last, x.to + settleMs);
    }
    return { first, last };
  }

  /** One lane: its error as it came; several: each named. */
  function stoppedText(): string {
    if (lanes.length <= 1) return [...stoppedLanes.values()][0]!;
    return [...stoppedLanes].map(([lane, error]) => `${lane}: ${error}`).join('; ');
  }

  function summary(reconcileErr?: string): FanoutSummary {
    const { last } = windowEnds();
    return {
      total,
      sent: state.count('sent'),
      failed: state.count('failed'),
      unknown: state.count('unknown') + state.count('sending'),
      notSent: state.count('not-sent') + state.count('pending'),
      sentThisRun,
      alreadyDone,
      interrupted: d.signal.aborted,
      ...(stoppedLanes.size > 0 ? { stopped: stoppedText() } : {}),
      stoppedLanes: Object.fromEntries(stoppedLanes),
      stopAtReached,
      ...(reconcileErr ? { reconcileError: reconcileErr } : {}),
      checked,
      foundOnServer,
      doubtful: doubts.size,
      ...(doubts.size > 0 ? { settlesAt: last } : {}),
      elapsedMs: now() - started,
    };
  }
}
