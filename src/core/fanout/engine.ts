// The fan-out: one request per recipient, paced, bounded, journaled, and never repeated blindly. Provider-free: the
// send and the reconciliation are injected.
import { setMaxListeners } from 'node:events';
import type { SendOutcome } from '../../providers/port.js';
import type { Journal, PlannedRecipient } from './journal.js';
import { TokenBucket } from './token-bucket.js';

export type Reconciled = { found: true; messageId: string } | { found: false };

export interface FanoutDeps {
  journal: Journal;
  /** The plan, streamed in order. */
  plan: () => AsyncIterable<PlannedRecipient>;
  /** `signal` cancels this request alone: it fires only when the drain after Ctrl-C runs out. */
  send: (r: PlannedRecipient, signal: AbortSignal) => Promise<SendOutcome>;
  /** A reason to leave a recipient out now (opted out since the plan was written), or undefined to send. */
  skip?: (r: PlannedRecipient) => string | undefined;
  /** Looks up on the server whether these recipients were sent; must not send anything. */
  reconcile: (rs: PlannedRecipient[]) => Promise<Map<number, Reconciled>>;
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
  signal: AbortSignal;
  /** How long requests in flight may take to finish after `signal` (default 5 s); then they are cut off. */
  drainMs?: number;
  /** Wait before a reconciliation, so the server has recorded what it accepted. */
  settleMs?: number;
  /**
   * Ask the server about every recipient not known to be settled before sending (a continued run: its journal may
   * have lost lines that no check can see, like a cut at a line boundary). Otherwise only those in doubt are asked.
   */
  checkUnsettledFirst?: boolean;
  /** When the run last sent (a resume right after a crash waits out the rest of `settleMs` before asking). */
  lastActivityAt?: number;
  /** Send-and-reconcile rounds in one run (default 3). */
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
  /** Recipients checked with the server before sending, and how many of them it had. */
  checked: number;
  foundOnServer: number;
  elapsedMs: number;
}

/** The journal could not be written: nothing more is sent, since nothing may leave without its trace on disk. */
export class JournalWriteError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'JournalWriteError';
  }
}

const nowIso = (now: () => number) => new Date(now()).toISOString();
const PROGRESS_MS = 100;

export async function runFanout(d: FanoutDeps): Promise<FanoutSummary> {
  const { journal, now } = d;
  const state = journal.state;
  const total = journal.header.total;
  const started = now();
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

  try {
    // 1. Anything left `sending` or `unknown` by an earlier run may have been sent: ask the server before anything
    // else. A journal that was lost, damaged or cut cannot say who was sent, so a continued run asks about everyone
    // not known to be settled.
    const askAll = d.checkUnsettledFirst === true || !state.trusted;
    const doubtful: PlannedRecipient[] = [];
    if (d.lanes && !askAll && state.count('sending') + state.count('unknown') === 0) {
      // A fresh run: nobody is in doubt, and the lanes are known without reading the plan.
      for (const lane of d.lanes) if (!lanes.includes(lane)) lanes.push(lane);
    } else {
      for await (const r of d.plan()) {
        if (!lanes.includes(laneOf(r))) lanes.push(laneOf(r));
        const s = state.get(r.i);
        if (s === 'sending' || s === 'unknown' || (askAll && s !== 'sent' && s !== 'failed')) doubtful.push(r);
      }
    }
    if (doubtful.length > 0) {
      const since = now() - (d.lastActivityAt ?? 0);
      // Never longer than the settle time: a clock set back (or a file time from another clock) is no reason to wait.
      if (d.lastActivityAt !== undefined && since < (d.settleMs ?? 2000)) await d.sleep(Math.min(d.settleMs ?? 2000, (d.settleMs ?? 2000) - since));
      const err = await reconcileInto(doubtful);
      if (err) return summary(err);
    }

    // 2. Send the rest, paced and bounded.
    const thisRunUnknown: PlannedRecipient[] = [];
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

    const sendOne = async (r: PlannedRecipient): Promise<void> => {
      const lane = laneOf(r);
      const bucket = bucketOf(lane);
      let notSentTries = 0;
      for (;;) {
        const outcome = await d.send(r, requests.signal);
        if (outcome.kind === 'sent') {
          await write({ i: r.i, s: 'sent', at: nowIso(now), id: outcome.messageId }, false);
          sentThisRun++;
          bucket.succeeded();
          break;
        }
        if (outcome.kind === 'rejected') {
          await write({ i: r.i, s: 'failed', at: nowIso(now), error: outcome.error }, false);
          break;
        }
        if (outcome.kind === 'unknown' || (outcome.kind === 'stop' && outcome.maybeActed)) {
          await write({ i: r.i, s: 'unknown', at: nowIso(now), error: outcome.error }, false);
          thisRunUnknown.push(r);
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
      }
      progress();
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
        if (s !== 'pending' && s !== 'not-sent') continue;
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
            await sendOne(r);
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

    // 3. Rounds: send everything eligible; then look up what this round left unknown (after a moment) and send again
    // only what the server has no record of. A few rounds settle almost everything; the rest waits for a resume.
    for (let round = 0; round < (d.rounds ?? 3); round++) {
      thisRunUnknown.length = 0;
      const eligible = (await Promise.all(lanes.map((lane) => sendLane(lane, round)))).reduce((a, b) => a + b, 0);
      progress(true);
      if (writeError) throw writeError;
      if (thisRunUnknown.length > 0 && !d.signal.aborted) {
        await d.sleep(d.settleMs ?? 2000);
        reconcileError = await reconcileInto([...thisRunUnknown]);
        if (reconcileError) break;
      }
      // Nobody left to send to (the server's answers applied): another pass over the plan would only read it.
      const leftToSend = state.count('pending') + state.count('not-sent') > 0;
      if (halted() || lanes.every((l) => stoppedLanes.has(l)) || (eligible === 0 && thisRunUnknown.length === 0) || !leftToSend) break;
    }
    return summary(reconcileError);
  } finally {
    clearTimeout(drainTimer);
    d.signal.removeEventListener('abort', onStop);
  }

  /** Applies the server's answer: found → sent; not found → eligible again. */
  async function reconcileInto(rs: PlannedRecipient[]): Promise<string | undefined> {
    let found: Map<number, Reconciled>;
    try {
      found = await d.reconcile(rs);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    checked += rs.length;
    for (const r of rs) {
      const f = found.get(r.i);
      if (f?.found) {
        foundOnServer++;
        await write({ i: r.i, s: 'sent', at: nowIso(now), id: f.messageId }, false);
      } else if (f) await write({ i: r.i, s: 'not-sent', at: nowIso(now), error: 'not found on the server' }, false);
    }
    try {
      await journal.sync();
    } catch (err) {
      throw (writeError ??= new JournalWriteError(err));
    }
    return undefined;
  }

  /** One lane: its error as it came; several: each named. */
  function stoppedText(): string {
    if (lanes.length <= 1) return [...stoppedLanes.values()][0]!;
    return [...stoppedLanes].map(([lane, error]) => `${lane}: ${error}`).join('; ');
  }

  function summary(reconcileErr?: string): FanoutSummary {
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
      elapsedMs: now() - started,
    };
  }
}
