// What a delivery report shows, read once from the delivery log (the same source as `logs tail` and `broadcast
// status`). A Qontak broadcast: counts per status, failures by reason, and when messages were sent, delivered, read or
// failed. A Konekwa run: its one story (the counts `broadcast status` gives), how far its accepted messages got on the
// server, why recipients failed, and when the gateway queued each message it lists; Konekwa documents no status past
// SENT, so a run has no delivered or read to show. Events are counted per minute; nothing per entry is kept.
import type { DeliveryStatus, LogEntry } from '../../providers/port.js';
import type { Provider } from '../../providers/port.js';
import { logSource, readRun, type LogSource, type ServerProgress } from '../delivery/source.js';
import { DeliverySummary } from '../delivery/summary.js';
import type { RunStory } from '../runs/story.js';

export type Milestone = 'sent' | 'delivered' | 'read' | 'failed';
export const MILESTONES: readonly Milestone[] = ['sent', 'delivered', 'read', 'failed'];

export interface ReportMeta {
  id: string;
  name: string;
  status: string;
  template: string | undefined;
  createdAt: string | undefined;
}

/** Events per minute: epoch minute → a count per series, and how many entries carried no time at all. */
export interface Timeline<S extends string> {
  series: readonly S[];
  perMinute: Map<number, Record<S, number>>;
  untimed: number;
}

export interface BroadcastReport extends ReportMeta {
  kind: 'Qontak broadcast';
  counts: Record<DeliveryStatus, number>;
  total: number;
  /** How many reached each stage: a read message was also sent and delivered. */
  funnel: { total: number; sent: number; delivered: number; read: number; failed: number };
  reasons: { reason: string; count: number }[];
  timeline: Timeline<Milestone>;
}

export interface RunReportData extends ReportMeta {
  kind: 'Konekwa run';
  story: RunStory;
  server: ServerProgress;
  /** Why recipients failed or are in doubt, as `broadcast status` groups them. */
  reasons: { reason: string; count: number }[];
  resume: string | null;
  /** The run's sent messages by the time the gateway created each (`created_at`); one not listed yet has none. */
  timeline: Timeline<'sent'>;
}

export type ReportData = BroadcastReport | RunReportData;

const MINUTE = 60_000;

/** Counts an event of `series` at `at` in its minute; false when `at` is no time. */
function count<S extends string>(t: Timeline<S>, series: S, at: string | undefined): boolean {
  const ms = at ? Date.parse(at) : NaN;
  if (Number.isNaN(ms)) return false;
  const minute = Math.floor(ms / MINUTE) * MINUTE;
  let slot = t.perMinute.get(minute);
  if (!slot) t.perMinute.set(minute, (slot = Object.fromEntries(t.series.map((s) => [s, 0])) as Record<S, number>));
  slot[series]++;
  return true;
}

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

export async function collectReport(source: LogSource, meta: ReportMeta): Promise<BroadcastReport> {
  const summary = new DeliverySummary();
  const timeline: Timeline<Milestone> = { series: MILESTONES, perMinute: new Map(), untimed: 0 };
  let cursor: string | null = null;
  do {
    const page = await source.fetchPage(cursor);
    for (const e of page.entries) {
      summary.add(e.status, e.error);
      let timed = false;
      for (const [m, at] of milestones(e)) timed = count(timeline, m, at) || timed;
      if (!timed) timeline.untimed++;
    }
    cursor = page.next;
  } while (cursor !== null);
  const c = summary.counts;
  return {
    ...meta,
    kind: 'Qontak broadcast',
    counts: { ...c },
    total: summary.total,
    funnel: { total: summary.total, sent: c.sent + c.delivered + c.read, delivered: c.delivered + c.read, read: c.read, failed: c.failed },
    reasons: summary.reasons(),
    timeline,
  };
}

/** A fan-out run's report: the story `broadcast status` tells, from the same pass, and its sent messages over time. */
export async function collectRun(source: LogSource): Promise<RunReportData> {
  const timeline: Timeline<'sent'> = { series: ['sent'], perMinute: new Map(), untimed: 0 };
  const r = await readRun(source, (e) => {
    if (e.state === 'sent' && !count(timeline, 'sent', e.createdAt)) timeline.untimed++;
  });
  const s = r.story;
  return { kind: 'Konekwa run', id: s.id, name: s.name, status: s.status, template: r.template, createdAt: s.createdAt, story: s, server: r.server, reasons: r.failureReasons, resume: r.resume, timeline };
}

/** A Qontak broadcast's or a Konekwa run's report data, by id. */
export async function reportData(stateDir: string, provider: Provider, id: string): Promise<ReportData> {
  const source = await logSource(stateDir, provider, id);
  if (!provider.broadcasts) return collectRun(source);
  const b = await provider.broadcasts.get(id);
  return collectReport(source, { id: b.id, name: b.name, status: b.status, template: b.templateName, createdAt: b.createdAt });
}
