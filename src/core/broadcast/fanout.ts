// Sends one request per recipient, paced and bounded, with the journal as the only record of who was done.
// The rules that keep a recipient from being sent twice or lost:
//  - `sending` is durable before the request goes out;
//  - a recipient left `sending` or `unknown` by an earlier run is reconciled with the server before anything is sent,
//    and if reconciling fails nothing is sent at all;
//  - a request whose outcome is unknown is never retried in the same run: it is reconciled at the end (after a settle
//    delay) and, if the server still has no trace of it, stays unknown until a later `--resume` reconciles it again;
//  - only answers that say the server did not act (429, connection refused) are retried.
import type { Journal, RecipientStatus } from './journal.js';
import { TokenBucket, type Clock, type Sleep } from './token-bucket.js';

export type SendResult =
  | { kind: 'sent'; messageId: string }
  /** Permanent refusal (4xx other than 429): not retried. */
  | { kind: 'rejected'; error: string }
  /** 429: the server did not act; retried after slowing down. */
  | { kind: 'rate-limited'; retryAfterMs?: number }
  /** The request never reached the server (connection refused, DNS): retried after a backoff. */
  | { kind: 'not-sent'; error: string }
  /** Timeout or dropped connection after the request may have reached the server. */
  | { kind: 'unknown'; error: string };

export type ReconcileResult = { found: true; messageId: string; status?: string } | { found: false };

export interface Progress {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  /** sent + failed: recipients with a final outcome. */
  done: number;
  inFlight: number;
  /** Measured over the last completions, messages per second. */
  ratePerSec: number;
  /** The pacing in force (lowered after a 429). */
  targetRatePerSec: number;
  /** Estimated time to finish, or undefined before there is anything to measure. */
  etaMs: number | undefined;
}

export type StopReason =
  | 'done'
  | 'interrupted'
  /** Recipients left in doubt by an earlier run could not be checked: nothing was sent. */
  | 'reconcile-failed'
  /** A recipient was still refused as transient (429, connection refused) after every retry. */
  | 'transient'
  /** Several requests in a row ended without a known outcome: the gateway is unreachable, stop making more doubt. */
  | 'unknown-streak';

export interface FanoutSummary {
  total: number;
  /** Final journal counts (this run and earlier ones). */
  sent: number;
  failed: number;
  /** Recipients whose outcome is still unknown (including any left `sending`): tell the user to --resume later. */
  unknown: number;
  /** Not attempted yet or not sent (eligible on --resume). */
  pending: number;
  /** Recipients already sent or failed when this run started. */
  skippedAlreadyDone: number;
  sentThisRun: number;
  failedThisRun: number;
  /** Recipients in doubt that reconciling showed as sent. */
  reconciledSent: number;
  rateLimited: number;
  interrupted: boolean;
  stopReason: StopReason;
  /** Why reconciling or the transient retries failed, one line. */
  error?: string;
  elapsedMs: number;
}

/** A source of recipients that can be walked more than once (once to find the doubtful ones, once to send). */
export type PlanSource<R> = readonly R[] | (() => Iterable<R> | AsyncIterable<R>);

export interface FanoutOptions<R extends { i: number }> {
  plan: PlanSource<R>;
  journal: Pick<Journal, 'states' | 'record' | 'flush' | 'now'>;
  send: (r: R, signal: AbortSignal) => Promise<SendResult>;
  /** Looks the given recipients up on the server. A recipient missing from the map stays unknown. */
  reconcile: (unknowns: R[]) => Promise<Map<number, ReconcileResult>>;
  ratePerSec: number;
  burst?: number;
  concurrency: number;
  clock: Clock;
  sleep: Sleep;
  /** Ctrl-C: stop issuing requests, let those in flight finish, journal them. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Wait after the last write to the journal before reconciling, so the server has seen requests in flight (2 s). */
  settleMs?: number;
  /** After an interrupt, how long in-flight requests may take before they are aborted (10 s). */
  drainMs?: number;
  /** Attempts per recipient for 429 / not-sent answers before the run stops as transient (6). */
  maxAttempts?: number;
  /** Consecutive unknown outcomes that stop the run (5). */
  maxUnknownStreak?: number;
}

const SUCCESSES_PER_CONCURRENCY_STEP = 20;

export async function runFanout<R extends { i: number }>(o: FanoutOptions<R>): Promise<FanoutSummary> {
  const { journal, clock, sleep } = o;
  const states = journal.states;
  const started = clock();
  const settleMs = o.settleMs ?? 2000;
  const drainMs = o.drainMs ?? 10_000;
  const maxAttempts = o.maxAttempts ?? 6;
  const maxUnknownStreak = o.maxUnknownStreak ?? 5;
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${o.concurrency}`);
  const bucket = new TokenBucket({ ratePerSec: o.ratePerSec, burst: o.burst ?? 1, clock, sleep });
  const userSignal = o.signal ?? new AbortController().signal;
  // Requests get their own signal: Ctrl-C lets them finish; only the drain deadline aborts them.
  const requests = new AbortController();
  const stopping = new AbortController();
  const onAbort = () => stopping.abort();
  const stopped = new Promise<void>((r) => stopping.signal.addEventListener('abort', () => r(), { once: true }));
  userSignal.addEventListener('abort', onAbort, { once: true });
  if (userSignal.aborted) stopping.abort();

  const skippedAlreadyDone = states.count('sent') + states.count('failed');
  let sentThisRun = 0;
  let failedThisRun = 0;
  let reconciledSent = 0;
  let rateLimited = 0;
  let stopReason: StopReason = 'done';
  let error: string | undefined;
  let inFlight = 0;
  let unknownStreak = 0;
  const runUnknowns: R[] = [];
  const completions: number[] = [];

  const stop = (reason: StopReason, why?: string) => {
    if (stopReason === 'done') {
      stopReason = reason;
      error = why;
    }
    stopping.abort();
  };
  const progress = () => {
    if (!o.onProgress) return;
    const now = clock();
    const n = completions.length;
    const measured = n >= 2 && now > completions[0]! ? ((n - 1) / (completions[n - 1]! - completions[0]!)) * 1000 : 0;
    const sent = states.count('sent');
    const failed = states.count('failed');
    const unknown = states.count('unknown') + states.count('sending');
    const remaining = states.total - sent - failed - unknown;
    const pace = measured > 0 && Number.isFinite(measured) ? Math.min(measured, bucket.rate) : bucket.rate;
    o.onProgress({
      total: states.total,
      sent,
      failed,
      unknown,
      done: sent + failed,
      inFlight,
      ratePerSec: Number.isFinite(measured) ? measured : 0,
      targetRatePerSec: bucket.rate,
      etaMs: remaining === 0 ? 0 : n >= 2 ? (remaining / pace) * 1000 : undefined,
    });
  };
  const completed = () => {
    completions.push(clock());
    if (completions.length > 32) completions.shift();
    progress();
  };

  // 1. Recipients an earlier run left in doubt are checked before anything is sent.
  const doubtful: R[] = [];
  if (states.count('sending') + states.count('unknown') > 0) {
    for await (const r of walk(o.plan)) {
      const s = states.get(r.i);
      if (s === 'sending' || s === 'unknown') doubtful.push(r);
    }
  }
  if (doubtful.length > 0) {
    const lastAt = states.lastAt ? Date.parse(states.lastAt) : NaN;
    const wait = Number.isFinite(lastAt) ? lastAt + settleMs - clock() : 0;
    if (wait > 0) await sleep(wait, stopping.signal).catch(() => undefined);
    try {
      reconciledSent += await applyReconcile(doubtful, true);
    } catch (e) {
      stop('reconcile-failed', `could not check ${doubtful.length} recipient(s) whose outcome was unknown: ${message(e)}`);
    }
  }
  doubtful.length = 0;
  progress();

  // 2. Everyone not yet done, at the pace, at most `limit` at a time.
  let limit = o.concurrency;
  let successStreak = 0;
  const running = new Set<Promise<void>>();
  const sendOne = async (r: R): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted) return;
      if (!(await bucket.take(stopping.signal)) || stopping.signal.aborted) return;
      await journal.record({ i: r.i, s: 'sending', at: journal.now() });
      inFlight++;
      let res: SendResult;
      try {
        res = await o.send(r, requests.signal);
      } catch (e) {
        // A send that throws cannot say whether the request went out.
        res = { kind: 'unknown', error: message(e) };
      } finally {
        inFlight--;
      }
      const at = journal.now();
      // Results are group-committed: the next `sending` sync or the final flush makes them durable.
      switch (res.kind) {
        case 'sent':
          void journal.record({ i: r.i, s: 'sent', id: res.messageId, at }).catch(noop);
          sentThisRun++;
          unknownStreak = 0;
          if (++successStreak % SUCCESSES_PER_CONCURRENCY_STEP === 0) limit = Math.min(o.concurrency, limit + 1);
          completed();
          return;
        case 'rejected':
          void journal.record({ i: r.i, s: 'failed', error: res.error, at, retryable: false }).catch(noop);
          failedThisRun++;
          unknownStreak = 0;
          completed();
          return;
        case 'unknown':
          void journal.record({ i: r.i, s: 'unknown', error: res.error, at }).catch(noop);
          runUnknowns.push(r);
          completed();
          if (++unknownStreak >= maxUnknownStreak) {
            stop('unknown-streak', `${unknownStreak} requests in a row ended without an answer (last: ${res.error})`);
          }
          return;
        case 'rate-limited':
        case 'not-sent': {
          const why = res.kind === 'rate-limited' ? 'rate limited (429)' : res.error;
          void journal.record({ i: r.i, s: 'not-sent', at, error: why }).catch(noop);
          const backoff = Math.min(60_000, 1000 * 2 ** (attempt - 1));
          if (res.kind === 'rate-limited') {
            rateLimited++;
            successStreak = 0;
            limit = Math.max(1, Math.floor(limit / 2));
            bucket.slowDown(res.retryAfterMs ?? backoff);
          }
          if (attempt >= maxAttempts) {
            stop('transient', `recipient ${r.i} was still refused after ${attempt} attempts: ${why}`);
            return;
          }
          if (res.kind === 'not-sent') await sleep(backoff, stopping.signal).catch(() => undefined);
          continue;
        }
      }
    }
  };

  let journalError: unknown;
  if (!stopping.signal.aborted) {
    for await (const r of walk(o.plan)) {
      if (stopping.signal.aborted) break;
      const s: RecipientStatus = states.get(r.i);
      if (s !== 'pending' && s !== 'not-sent') continue;
      // A request that hangs must not keep Ctrl-C from being noticed.
      while (running.size >= limit && !stopping.signal.aborted) await Promise.race([...running, stopped]);
      if (stopping.signal.aborted) break;
      const p: Promise<void> = sendOne(r).then(
        () => void running.delete(p),
        (e: unknown) => {
          running.delete(p);
          journalError ??= e;
          stop('interrupted');
        },
      );
      running.add(p);
    }
  }

  // 3. Let what is in flight finish; after an interrupt only for `drainMs`, then abort it and move on.
  if (running.size > 0) {
    const all = Promise.all(running);
    if (userSignal.aborted) {
      const timer = new AbortController();
      const deadline = sleep(drainMs, timer.signal).catch(() => undefined).then(() => 'late' as const);
      if ((await Promise.race([all, deadline])) === 'late') {
        requests.abort();
        const grace = new AbortController();
        await Promise.race([all, sleep(1000, grace.signal).catch(() => undefined)]);
        grace.abort();
      }
      timer.abort();
    } else await all;
  }
  userSignal.removeEventListener('abort', onAbort);
  if (userSignal.aborted && stopReason === 'done') stopReason = 'interrupted';
  if (journalError) throw journalError;

  // 4. This run's unknowns, once, after a settle delay. Not found stays unknown: a later --resume checks again.
  if (runUnknowns.length > 0 && stopReason !== 'interrupted') {
    await journal.flush();
    await sleep(settleMs);
    try {
      reconciledSent += await applyReconcile(runUnknowns, false);
    } catch (e) {
      error ??= `could not check ${runUnknowns.length} recipient(s) whose outcome is unknown: ${message(e)}`;
    }
  }
  await journal.flush();
  progress();

  return {
    total: states.total,
    sent: states.count('sent'),
    failed: states.count('failed'),
    unknown: states.count('unknown') + states.count('sending'),
    pending: states.count('pending') + states.count('not-sent'),
    skippedAlreadyDone,
    sentThisRun,
    failedThisRun,
    reconciledSent,
    rateLimited,
    interrupted: stopReason === 'interrupted',
    stopReason,
    ...(error !== undefined ? { error } : {}),
    elapsedMs: clock() - started,
  };

  /** Marks what the server knows about; with `releaseMissing`, recipients it has no trace of become sendable. */
  async function applyReconcile(list: R[], releaseMissing: boolean): Promise<number> {
    const found = await o.reconcile(list);
    let n = 0;
    const at = journal.now();
    for (const r of list) {
      const res = found.get(r.i);
      if (res?.found) {
        void journal.record({ i: r.i, s: 'sent', id: res.messageId, at, via: 'reconcile' }).catch(noop);
        n++;
      } else if (res && releaseMissing) {
        void journal.record({ i: r.i, s: 'not-sent', at, via: 'reconcile' }).catch(noop);
      } else if (states.get(r.i) === 'sending') {
        void journal.record({ i: r.i, s: 'unknown', error: 'not found on the server yet', at }).catch(noop);
      }
    }
    await journal.flush();
    return n;
  }
}

async function* walk<R>(plan: PlanSource<R>): AsyncGenerator<R> {
  if (typeof plan === 'function') yield* plan();
  else yield* plan as readonly R[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function noop(): void {}
