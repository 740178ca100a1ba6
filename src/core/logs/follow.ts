// Following a delivery log. A pass reads every page; each entry seen for the first time and each forward status
// change is reported exactly once. Per entry only its id and a status code are kept (StatusTable), and the counts
// and failure reasons are updated from transitions (LogSummary), so memory stays nearly flat however long the log.
import { type LogEntry, type LogStatus, statusCode } from './entry.js';
import type { LogEvent } from './format.js';
import { StatusTable } from './status-table.js';
import { LogSummary } from './summary.js';

export const DEFAULT_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_INTERVAL_MS = 60_000;
export const BACKOFF_FACTOR = 1.5;

export interface LogPage<C> {
  entries: LogEntry[];
  /** The cursor of the next page; null ends the pass. */
  next: C | null;
}

export interface FollowOptions<C> {
  /** One page of the log; a pass starts at cursor null and goes on until `next` is null. */
  fetchPage: (cursor: C | null) => Promise<LogPage<C>>;
  /** Whether the broadcast itself has finished sending; asked only with untilDone, once nothing is pending. */
  isDone: () => Promise<boolean>;
  /** Keep polling after the first pass (until aborted, or until done with untilDone). */
  follow: boolean;
  /** Stop once the broadcast is done and no entry is pending; implies follow. */
  untilDone: boolean;
  /** Pause between passes while things change. Default 5 s. */
  intervalMs?: number;
  /** Upper bound of the pause while nothing changes. Default 60 s (never below intervalMs). */
  maxIntervalMs?: number;
  /** Milliseconds since the epoch; used to stamp events and time the run. */
  clock: () => number;
  /** Resolves after ms, or early (resolving or rejecting) when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  onEvent: (e: LogEvent) => void;
}

export interface FollowResult {
  summary: LogSummary;
  /** Complete passes over the log. */
  passes: number;
  /** Entries tracked (distinct ids seen). */
  tracked: number;
  interrupted: boolean;
  elapsedMs: number;
}

/** Thrown when the API hands back a cursor already visited in the same pass, which would loop forever. */
export class LogPagingError extends Error {
  override name = 'LogPagingError';
}

/** The pause before the next pass: back to the base as soon as a pass brings a change, else 1.5× up to the max. */
export function nextInterval(current: number, changed: boolean, baseMs: number, maxMs: number): number {
  if (changed) return baseMs;
  return Math.min(maxMs, Math.round(current * BACKOFF_FACTOR));
}

export async function followLog<C>(o: FollowOptions<C>): Promise<FollowResult> {
  const base = Math.max(1, o.intervalMs ?? DEFAULT_INTERVAL_MS);
  const max = Math.max(base, o.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS);
  const looping = o.follow || o.untilDone;
  const started = o.clock();
  const table = new StatusTable();
  const summary = new LogSummary();
  let passes = 0;
  let interval = base;

  const result = (interrupted: boolean): FollowResult => ({ summary, passes, tracked: table.size, interrupted, elapsedMs: o.clock() - started });

  // Records one entry; true when something was reported.
  const observe = (e: LogEntry): boolean => {
    const before = table.get(e.id);
    if (before === undefined) {
      table.set(e.id, e.status);
      summary.add(e.status, e.error);
      o.onEvent({ kind: 'new', entry: e, seenAt: new Date(o.clock()).toISOString() });
      return true;
    }
    // Statuses only move forward: a page read before a later one may still show an older status.
    if (statusCode(e.status) <= statusCode(before)) return false;
    table.set(e.id, e.status);
    summary.move(before, e.status, e.error);
    o.onEvent({ kind: 'change', entry: e, from: before, to: e.status, seenAt: new Date(o.clock()).toISOString() });
    return true;
  };

  for (;;) {
    let changed = false;
    let cursor: C | null = null;
    const visited = new Set<C>();
    do {
      if (o.signal.aborted) return result(true);
      let page: LogPage<C>;
      try {
        page = await o.fetchPage(cursor);
      } catch (err) {
        // A request cut short by Ctrl-C is an interruption, not a failure.
        if (o.signal.aborted) return result(true);
        throw err;
      }
      for (const e of page.entries) if (observe(e)) changed = true;
      cursor = page.next;
      if (cursor !== null) {
        if (visited.has(cursor)) throw new LogPagingError(`log paging: the API returned cursor ${JSON.stringify(cursor)} twice in one pass.`);
        visited.add(cursor);
      }
    } while (cursor !== null);
    passes++;

    if (!looping) return result(false);
    if (o.untilDone && summary.counts.pending === 0) {
      let done: boolean;
      try {
        done = await o.isDone();
      } catch (err) {
        if (o.signal.aborted) return result(true);
        throw err;
      }
      if (done) return result(false);
    }
    // The first pause is the base interval; after that, back off while nothing moves.
    interval = passes === 1 ? base : nextInterval(interval, changed, base, max);
    try {
      await o.sleep(interval, o.signal);
    } catch (err) {
      // An abortable sleep may reject on abort; any other failure must not turn into polling without a pause.
      if (!o.signal.aborted) throw err;
    }
    if (o.signal.aborted) return result(true);
  }
}

/** The statuses an event can report, for callers that type their handlers on it. */
export type { LogEvent, LogStatus };
