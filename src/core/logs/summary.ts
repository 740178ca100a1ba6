// Counts per status and failure reasons grouped with counts, kept up to date from transitions.
// Nothing is stored per entry: a reason is counted when an entry enters `failed` (its error at that moment), so the
// reasons always add up to the failed count.
import { LOG_STATUSES, type LogStatus } from './entry.js';

/** The label for a failed entry whose API gave no reason. */
export const NO_REASON = 'no reason given';

export interface ReasonCount {
  reason: string;
  count: number;
}

/** What renderSummary needs; `broadcast status` can build one from the API's own counts (without reasons). */
export interface SummarySnapshot {
  counts: Record<LogStatus, number>;
  reasons: ReasonCount[];
}

export const emptyCounts = (): Record<LogStatus, number> => ({ pending: 0, sent: 0, delivered: 0, read: 0, failed: 0 });

export class LogSummary {
  readonly counts: Record<LogStatus, number> = emptyCounts();
  private readonly reasonCounts = new Map<string, number>();

  /** A newly seen entry. */
  add(status: LogStatus, error?: string): void {
    this.counts[status]++;
    if (status === 'failed') this.countReason(error);
  }

  /** An entry seen before moved on. `failed` is terminal, so a reason is never taken back. */
  move(from: LogStatus, to: LogStatus, error?: string): void {
    if (from === to) return;
    this.counts[from]--;
    this.add(to, error);
  }

  private countReason(error: string | undefined): void {
    const reason = error?.trim() || NO_REASON;
    this.reasonCounts.set(reason, (this.reasonCounts.get(reason) ?? 0) + 1);
  }

  get total(): number {
    return totalOf(this.counts);
  }

  /** Most frequent first; ties in alphabetical order so the output is stable. */
  reasons(): ReasonCount[] {
    return [...this.reasonCounts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }

  snapshot(): SummarySnapshot {
    return { counts: { ...this.counts }, reasons: this.reasons() };
  }
}

export function totalOf(counts: Record<LogStatus, number>): number {
  return LOG_STATUSES.reduce((n, s) => n + counts[s], 0);
}

/**
 * Delivery rate: of the messages that have left the queue (everything but `pending`), the share that reached the
 * phone (`delivered` or `read`; a read message was delivered first). `sent` stays in the denominator: it has not
 * reached the phone yet, so while a broadcast is still moving the rate can only rise. Undefined when nothing has left
 * the queue.
 */
export function deliveryRate(counts: Record<LogStatus, number>): number | undefined {
  const settled = totalOf(counts) - counts.pending;
  return settled > 0 ? (counts.delivered + counts.read) / settled : undefined;
}

/** Read rate: of the messages that reached the phone, the share that was read. Undefined when none was delivered. */
export function readRate(counts: Record<LogStatus, number>): number | undefined {
  const reached = counts.delivered + counts.read;
  return reached > 0 ? counts.read / reached : undefined;
}
