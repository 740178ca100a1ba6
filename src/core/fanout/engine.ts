// The fan-out: one request per recipient, paced, bounded, journaled, and never repeated blindly. Provider-free: the
// send and the reconciliation are injected.
import type { SendOutcome } from '../../providers/port.js';
import type { Journal, PlannedRecipient } from './journal.js';
import { TokenBucket } from './token-bucket.js';

export type Reconciled = { found: true; messageId: string } | { found: false };

export interface FanoutDeps {
  journal: Journal;
  /** The plan, streamed in order. */
  plan: () => AsyncIterable<PlannedRecipient>;
  send: (r: PlannedRecipient) => Promise<SendOutcome>;
  /** Looks up on the server whether these recipients were sent; must not send anything. */
  reconcile: (rs: PlannedRecipient[]) => Promise<Map<number, Reconciled>>;
  rate: number;
  burst?: number;
  concurrency: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** Wait before the closing reconciliation, so the server has recorded what it accepted. */
  settleMs?: number;
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
  reconcileError?: string;
  elapsedMs: number;
}

const nowIso = (now: () => number) => new Date(now()).toISOString();

export async function runFanout(d: FanoutDeps): Promise<FanoutSummary> {
  const { journal, now } = d;
  const state = journal.state;
  const total = journal.header.total;
  const started = now();
  // A burst of 2 absorbs timer lateness (a 1-token bucket loses whatever a late timer overshoots) while never
  // sending more than two back to back.
  const bucket = new TokenBucket(d.rate, d.burst ?? 2, now, d.sleep);
  let sentThisRun = 0;
  let alreadyDone = 0;

  // 1. Anything left `sending` or `unknown` by an earlier run may have been sent: ask the server before anything else.
  const doubtful: PlannedRecipient[] = [];
  for await (const r of d.plan()) {
    const s = state.get(r.i);
    if (s === 'sending' || s === 'unknown') doubtful.push(r);
  }
  if (doubtful.length > 0) {
    const err = await reconcileInto(d, doubtful);
    if (err) return summary(true, err);
  }

  // 2. Send the rest, paced and bounded.
  const inFlight = new Set<Promise<void>>();
  const thisRunUnknown: PlannedRecipient[] = [];
  let fatal: unknown;
  const progress = () =>
    d.onProgress?.({
      done: state.count('sent') + state.count('failed') + state.count('unknown'),
      total,
      sent: state.count('sent'),
      failed: state.count('failed'),
      unknown: state.count('unknown'),
      ratePerSecond: bucket.rate,
      elapsedMs: now() - started,
    });

  const sendOne = async (r: PlannedRecipient): Promise<void> => {
    let notSentTries = 0;
    for (;;) {
      const outcome = await d.send(r);
      if (outcome.kind === 'sent') {
        await journal.append({ i: r.i, s: 'sent', at: nowIso(now), id: outcome.messageId }, false);
        sentThisRun++;
        bucket.succeeded();
        break;
      }
      if (outcome.kind === 'rejected') {
        await journal.append({ i: r.i, s: 'failed', at: nowIso(now), error: outcome.error }, false);
        break;
      }
      if (outcome.kind === 'unknown') {
        await journal.append({ i: r.i, s: 'unknown', at: nowIso(now), error: outcome.error }, false);
        thisRunUnknown.push(r);
        break;
      }
      // The server did not act: journal that, wait as told, and send again.
      await journal.append({ i: r.i, s: 'not-sent', at: nowIso(now), error: outcome.kind === 'not-sent' ? outcome.error : 'rate limited' }, false);
      if (outcome.kind === 'rate-limited') bucket.slowDown(outcome.retryAfterMs);
      else if (++notSentTries > (d.notSentRetries ?? 3)) break;
      else await d.sleep(500 * 2 ** notSentTries);
      if (d.signal.aborted) break;
      await bucket.take();
      if (d.signal.aborted) break;
      await journal.append({ i: r.i, s: 'sending', at: nowIso(now) }, true);
    }
    progress();
  };

  // 3. Rounds: send everything eligible; then look up what this round left unknown (after a moment) and send again
  // only what the server has no record of. A few rounds settle almost everything; the rest waits for --resume.
  let reconcileError: string | undefined;
  for (let round = 0; round < (d.rounds ?? 3); round++) {
    thisRunUnknown.length = 0;
    let eligible = 0;
    for await (const r of d.plan()) {
      if (d.signal.aborted || fatal) break;
      const s = state.get(r.i);
      if (s === 'sent' || s === 'failed') {
        if (round === 0) alreadyDone++;
        continue;
      }
      if (s !== 'pending' && s !== 'not-sent') continue;
      eligible++;
      while (inFlight.size >= d.concurrency) await Promise.race(inFlight);
      if (fatal) break;
      await bucket.take();
      if (d.signal.aborted) break;
      // Journaled as sending, and on disk, before the request leaves; the loop meanwhile paces the next one.
      const durable = journal.append({ i: r.i, s: 'sending', at: nowIso(now) }, true);
      const p: Promise<void> = durable
        .then(() => sendOne(r))
        .catch((err: unknown) => {
          // Auth lost, say: stop issuing. What this recipient became is unknown until reconciled.
          fatal ??= err;
          return journal.append({ i: r.i, s: 'unknown', at: nowIso(now), error: err instanceof Error ? err.message : String(err) }, false);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    if (fatal) {
      await journal.sync().catch(() => undefined);
      throw fatal;
    }
    if (d.signal.aborted || (eligible === 0 && thisRunUnknown.length === 0)) break;
    if (thisRunUnknown.length === 0) continue;
    await d.sleep(d.settleMs ?? 2000);
    reconcileError = await reconcileInto(d, [...thisRunUnknown]);
    if (reconcileError) break;
  }
  return summary(d.signal.aborted, reconcileError);

  function summary(interrupted: boolean, reconcileErr?: string): FanoutSummary {
    return {
      total,
      sent: state.count('sent'),
      failed: state.count('failed'),
      unknown: state.count('unknown') + state.count('sending'),
      notSent: state.count('not-sent') + state.count('pending'),
      sentThisRun,
      alreadyDone,
      interrupted,
      ...(reconcileErr ? { reconcileError: reconcileErr } : {}),
      elapsedMs: now() - started,
    };
  }
}

/** Applies the server's answer: found → sent; not found → eligible again. Returns an error text if it could not ask. */
async function reconcileInto(d: FanoutDeps, rs: PlannedRecipient[]): Promise<string | undefined> {
  let found: Map<number, Reconciled>;
  try {
    found = await d.reconcile(rs);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  for (const r of rs) {
    const f = found.get(r.i);
    if (f?.found) await d.journal.append({ i: r.i, s: 'sent', at: nowIso(d.now), id: f.messageId }, false);
    else if (f && !f.found) await d.journal.append({ i: r.i, s: 'not-sent', at: nowIso(d.now), error: 'not found on the server' }, false);
  }
  await d.journal.sync();
  return undefined;
}
