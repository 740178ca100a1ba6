// Following a delivery log: one pass reads every page; each new entry and each status change is reported once.
// Per entry only its id and a status code are kept, so following 100,000 entries costs a few megabytes.
import type { LogEntry } from './entry.js';
import { STATUS_RANK } from './entry.js';
import { DeliverySummary } from './summary.js';
import type { DeliveryStatus } from '../../providers/port.js';

export type LogEvent = { kind: 'new'; entry: LogEntry } | { kind: 'change'; entry: LogEntry; from: DeliveryStatus };

export interface FollowOptions {
  /** Pages of one pass over the log; `next` null ends the pass. */
  fetchPage: (cursor: string | null) => Promise<{ entries: LogEntry[]; next: string | null }>;
  /** Whether the broadcast itself has finished sending. */
  isDone: () => Promise<boolean>;
  follow: boolean;
  untilDone: boolean;
  intervalMs: number;
  maxIntervalMs?: number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  onEvent: (e: LogEvent) => void;
}

export interface FollowResult {
  summary: DeliverySummary;
  passes: number;
  interrupted: boolean;
}

const CODES: DeliveryStatus[] = ['pending', 'sent', 'delivered', 'read', 'failed'];

export async function followLog(o: FollowOptions): Promise<FollowResult> {
  const seen = new Map<string, number>();
  const summary = new DeliverySummary();
  let interval = o.intervalMs;
  const max = o.maxIntervalMs ?? Math.max(o.intervalMs, 60_000);
  let passes = 0;
  for (;;) {
    let changed = false;
    let cursor: string | null = null;
    do {
      if (o.signal.aborted) return { summary, passes, interrupted: true };
      const page: { entries: LogEntry[]; next: string | null } = await o.fetchPage(cursor);
      for (const e of page.entries) {
        const before = seen.get(e.id);
        const code = CODES.indexOf(e.status);
        if (before === undefined) {
          seen.set(e.id, code);
          summary.add(e.status, e.error);
          o.onEvent({ kind: 'new', entry: e });
          changed = true;
        } else if (before !== code && STATUS_RANK[e.status] > STATUS_RANK[CODES[before]!]) {
          // Statuses only move forward; an older status from a stale page is ignored.
          seen.set(e.id, code);
          summary.move(CODES[before]!, e.status, e.error);
          o.onEvent({ kind: 'change', entry: e, from: CODES[before]! });
          changed = true;
        }
      }
      cursor = page.next;
    } while (cursor !== null);
    passes++;
    if (!o.follow) return { summary, passes, interrupted: false };
    if (o.untilDone && summary.counts.pending === 0 && (await o.isDone())) return { summary, passes, interrupted: false };
    // Back off while nothing moves; come back to the set pace as soon as something does.
    interval = changed ? o.intervalMs : Math.min(max, Math.round(interval * 1.5));
    await o.sleep(interval);
    if (o.signal.aborted) return { summary, passes, interrupted: true };
  }
}
