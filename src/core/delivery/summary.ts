// Counts per status and failure reasons, kept up to date from transitions: nothing is stored per entry.
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../providers/port.js';

export class DeliverySummary {
  readonly counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  private readonly reasonCounts = new Map<string, number>();

  add(status: DeliveryStatus, error?: string): void {
    this.counts[status]++;
    if (status === 'failed') this.reasonCounts.set(error ?? 'no reason given', (this.reasonCounts.get(error ?? 'no reason given') ?? 0) + 1);
  }

  move(from: DeliveryStatus, to: DeliveryStatus, error?: string): void {
    this.counts[from]--;
    this.add(to, error);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  reasons(): { reason: string; count: number }[] {
    return [...this.reasonCounts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }
}
