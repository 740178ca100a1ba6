import type { Provider } from '../../providers/port.js';
import { fromQontakLogEntry } from './entry.js';
import { DeliverySummary } from './summary.js';

/** Failure reasons of a broadcast, grouped with counts, read from its log. */
export async function failureReasons(provider: Provider, id: string): Promise<{ reason: string; count: number }[]> {
  const summary = new DeliverySummary();
  let cursor: string | null = null;
  do {
    const page = await provider.logPage(id, cursor);
    for (const raw of page.entries) {
      const e = fromQontakLogEntry(raw);
      summary.add(e.status, e.error);
    }
    cursor = page.next;
  } while (cursor !== null);
  return summary.reasons();
}
