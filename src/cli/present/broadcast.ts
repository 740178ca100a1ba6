// A broadcast or a run, whichever provider sent it: a Qontak broadcast and a Konekwa fan-out run share `{id, name,
// createdAt, status}`, and a run adds its counts (`total, sent, failed, unknown, notSent`), the same in every command.
import type { BroadcastSummary, DeliveryStatus } from '../../providers/port.js';
import type { RunCounts, RunStatus } from '../../core/runs/story.js';
import type { JournalTotals, RunListing } from '../../core/runs/listing.js';
import type { RunReport } from '../../core/delivery/source.js';
import type { ReportData } from '../../core/report/collect.js';
import type { TimeFormat } from '../time.js';
import type { Column } from '../output.js';
import type { Presenter } from './presenter.js';

/**
 * The one vocabulary of a broadcast's or run's status. Qontak's own (its `execute_status`): todo (not gone out yet:
 * queued or scheduled), done, failed. A run's: done (every recipient settled) or unfinished (the same send command, or
 * --resume, continues it), damaged (its journal cannot be read). unknown: a status no document shows, kept whole in
 * `rawStatus`, or one that could not be read.
 */
export const BROADCAST_STATUSES = ['todo', 'done', 'failed', 'unfinished', 'damaged', 'unknown'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export function statusJson(status: string): { status: BroadcastStatus; rawStatus?: string } {
  if ((BROADCAST_STATUSES as readonly string[]).includes(status)) return { status: status as BroadcastStatus };
  return { status: 'unknown', ...(status ? { rawStatus: status } : {}) };
}

/** What every broadcast and run has. */
export interface BroadcastJson {
  id: string;
  name: string;
  createdAt: string | null;
  status: BroadcastStatus;
  rawStatus?: string;
}

export interface RunJson extends BroadcastJson {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  notSent: number;
}

/** A Qontak broadcast: its template, when it sends, and its recipients per delivery status. */
export const broadcast: Presenter<BroadcastSummary, BroadcastJson & { template: string | null; sendAt: string | null; counts: Record<DeliveryStatus, number> }> = {
  toJson: (b, t) => ({
    id: b.id,
    name: b.name,
    createdAt: t.iso(b.createdAt) ?? null,
    ...statusJson(b.status),
    template: b.templateName ?? null,
    sendAt: t.iso(b.sendAt) ?? null,
    counts: b.counts,
  }),
  columns: (t) => [
    { header: 'ID', value: (b) => b.id, id: true },
    { header: 'NAME', value: (b) => b.name },
    { header: 'STATUS', value: (b) => b.status },
    { header: 'TEMPLATE', value: (b) => b.templateName, drop: 2 },
    { header: 'SENT', value: (b) => b.counts.sent + b.counts.delivered + b.counts.read },
    { header: 'FAILED', value: (b) => b.counts.failed },
    { header: 'CREATED', value: (b) => t.text(b.createdAt), drop: 1 },
  ],
};

/** A run's one story (or a listing of it): its counts, its word, when it began. */
type RunLike = RunCounts & { id: string; name: string; createdAt: string; status: RunStatus | 'damaged' };

/** A run's one story: the same counts and word in `broadcast send`, `status`, `list`, `report` and `logs`. */
export const runJson = (s: RunLike, t: TimeFormat): RunJson => ({
  id: s.id,
  name: s.name,
  createdAt: t.iso(s.createdAt) ?? null,
  status: s.status,
  total: s.total,
  sent: s.sent,
  failed: s.failed,
  unknown: s.unknown,
  notSent: s.notSent,
});

/** A run on this machine (`broadcast list` of Konekwa): its story, template, key and the command that continues it. */
export const run: Presenter<RunListing, RunJson & { template: string; idempotencyKey: string; resume: string | null }> = {
  toJson: (r, t) => ({ ...runJson(r, t), template: r.template, idempotencyKey: r.idempotencyKey, resume: r.resume }),
  columns: (t) => [
    { header: 'RUN ID', value: (r) => r.id, id: true },
    { header: 'NAME', value: (r) => r.name, drop: 2 },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'SENT', value: (r) => r.sent },
    { header: 'FAILED', value: (r) => r.failed },
    { header: 'UNKNOWN', value: (r) => r.unknown },
    { header: 'NOT SENT', value: (r) => r.notSent, drop: 3 },
    { header: 'OF', value: (r) => r.total },
    { header: 'CREATED', value: (r) => t.text(r.createdAt), drop: 1 },
  ],
};

/** A run told whole (`broadcast status RUN`): its story, how far its accepted messages got on the server, why any failed. */
export const runReportJson = (r: RunReport, t: TimeFormat) => ({
  ...runJson(r.story, t),
  template: r.template,
  onServer: r.server,
  failureReasons: r.failureReasons,
  resume: r.resume,
});

/** Run folders summed (`broadcast status --journal`): the sum counted as a run counts, then each run. */
export const journalTotalsJson = (j: JournalTotals, t: TimeFormat) => ({
  status: j.runs.every((r) => r.status === 'done') ? ('done' as const) : ('unfinished' as const),
  ...j.total,
  runs: j.runs.map((r) => ({
    id: r.runId,
    name: r.name,
    createdAt: t.iso(r.createdAt) ?? null,
    status: r.status,
    ...r.counts,
    path: r.path,
    shard: r.shard,
    template: r.template,
    idempotencyKey: r.idempotencyKey,
    damaged: r.damaged,
  })),
});

/** A Qontak broadcast's status: the broadcast, and why its failed messages failed. */
export const broadcastStatusJson = (b: BroadcastSummary, reasons: { reason: string; count: number }[], t: TimeFormat) => ({ ...broadcast.toJson(b, t), failureReasons: reasons });

/** `broadcast report`: the page written, and what it tells (a broadcast's funnel, or a run's story). */
export function reportJson(d: ReportData, out: string, t: TimeFormat) {
  if (d.kind === 'Konekwa run') return { ...runJson(d.story, t), out, template: d.template ?? null, onServer: d.server, failureReasons: d.reasons, resume: d.resume };
  const f = d.funnel;
  return {
    id: d.id,
    name: d.name,
    createdAt: t.iso(d.createdAt) ?? null,
    ...statusJson(d.status),
    out,
    template: d.template ?? null,
    total: f.total,
    sent: f.sent,
    delivered: f.delivered,
    read: f.read,
    failed: f.failed,
    counts: d.counts,
    failureReasons: d.reasons,
  };
}

/** A recipient of a run, as `broadcast send` ends with it: its row, number, what became of it, and why. */
export interface RunRecipient {
  row: number;
  phone: string;
  name: string;
  state: string;
  messageId: string | null;
  error: string | null;
}

export const runRecipient: Presenter<RunRecipient, RunRecipient> = {
  toJson: (r) => ({ row: r.row, phone: r.phone, name: r.name, state: r.state, messageId: r.messageId, error: r.error }),
  columns: (): Column<RunRecipient>[] => [
    { header: 'ROW', value: (x) => x.row },
    { header: 'PHONE', value: (x) => x.phone },
    { header: 'NAME', value: (x) => x.name, drop: 2 },
    { header: 'STATE', value: (x) => x.state },
    { header: 'MESSAGE ID', value: (x) => x.messageId, id: true, drop: 1 },
    { header: 'ERROR', value: (x) => x.error },
  ],
};
