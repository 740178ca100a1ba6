import type { BroadcastsPort } from '../../providers/port.js';
import { DeliverySummary } from './summary.js';

/** Failure reasons of a broadcast, grouped with counts, read from its log. */
export async function failureReasons(broadcasts: Pick<BroadcastsPort, 'logPage'>, id: string): Promise<{ reason: string; count: number }[]> {
  const summary = new DeliverySummary();
  let cursor: string | null = null;
  do {
    const page = await broadcasts.logPage(id, cursor);
    for (const e of page.entries) summary.add(e.status, e.error);
    cursor = page.next;
  } while (cursor !== null);
  return summary.reasons();
}
