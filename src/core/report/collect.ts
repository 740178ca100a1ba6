// What a delivery report shows, read once from the delivery log (the same source as `logs tail` and `broadcast
// status`): counts per status, failures by reason, and when messages were sent, delivered, read or failed, counted per
// minute. Nothing per entry is kept.
import type { DeliveryStatus, LogEntry } from '../../providers/port.js';
import type { Provider } from '../../providers/port.js';
import { logSource, type LogSource } from '../delivery/source.js';
import { DeliverySummary } from '../delivery/summary.js';

export type Milestone = 'sent' | 'delivered' | 'read' | 'failed';
export const MILESTONES: readonly Milestone[] = ['sent', 'delivered', 'read', 'failed'];

export interface ReportMeta {
  id: string;
  /** "Qontak broadcast" or "Konekwa run". */
  kind: string;
  name: string;
  status: string;
  template: string | undefined;
  createdAt: string | undefined;
}

export interface ReportData extends ReportMeta {
  counts: Record<DeliveryStatus, number>;
  total: number;
  /** How many reached each stage: a read message was also sent and delivered. */
  funnel: { total: number; sent: number; delivered: number; read: number; failed: number };
  reasons: { reason: string; count: number }[];
  /** Events per minute (epoch minute → counts), and how many entries carried no time at all. */
  perMinute: Map<number, Record<Milestone, number>>;
  untimed: number;
}

const MINUTE = 60_000;

/** The times an entry carries, by milestone. A message with no send time of its own was sent when it was created. */
function milestones(e: LogEntry): [Milestone, string | undefined][] {
  const reached = e.status === 'sent' || e.status === 'delivered' || e.status === 'read';
  return [
    ['sent', e.sentAt ?? (reached ? e.createdAt : undefined)],
    ['delivered', e.deliveredAt],
    ['read', e.readAt],
    ['failed', e.status === 'failed' ? (e.sentAt ?? e.createdAt) : undefined],
  ];
}

export async function collectReport(source: LogSource, meta: ReportMeta): Promise<ReportData> {
  const summary = new DeliverySummary();
  const perMinute = new Map<number, Record<Milestone, number>>();
  let untimed = 0;
  let cursor: string | null = null;
  do {
    const page = await source.fetchPage(cursor);
    for (const e of page.entries) {
      summary.add(e.status, e.error);
      let timed = false;
      for (const [m, at] of milestones(e)) {
        const ms = at ? Date.parse(at) : NaN;
        if (Number.isNaN(ms)) continue;
        const minute = Math.floor(ms / MINUTE) * MINUTE;
        let slot = perMinute.get(minute);
        if (!slot) perMinute.set(minute, (slot = { sent: 0, delivered: 0, read: 0, failed: 0 }));
        slot[m]++;
        timed = true;
      }
      if (!timed) untimed++;
    }
    cursor = page.next;
  } while (cursor !== null);
  const c = summary.counts;
  return {
    ...meta,
    counts: { ...c },
    total: summary.total,
    funnel: { total: summary.total, sent: c.sent + c.delivered + c.read, delivered: c.delivered + c.read, read: c.read, failed: c.failed },
    reasons: summary.reasons(),
    perMinute,
    untimed,
  };
}


/** A Qontak broadcast's or a Konekwa run's report data, by id. */
export async function reportData(stateDir: string, provider: Provider, id: string): Promise<ReportData> {
  const source = await logSource(stateDir, provider, id);
  let meta: ReportMeta;
  if (provider.broadcasts) {
    const b = await provider.broadcasts.get(id);
    meta = { id: b.id, kind: 'Qontak broadcast', name: b.name, status: b.status, template: b.templateName, createdAt: b.createdAt };
  } else {
    const { inspectRun } = await import('../runs/listing.js');
    const { isFinished } = await import('../runs/story.js');
    const { header, state } = await inspectRun(stateDir, id);
    meta = { id, kind: 'Konekwa run', name: header.name, status: isFinished(header, state) ? 'done' : 'unfinished', template: header.templateName, createdAt: header.createdAt };
  }
  return collectReport(source, meta);
}
