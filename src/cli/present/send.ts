// What `broadcast send` prints: a dry run's summary, the broadcast a Qontak send made, a Konekwa run as it ended, or
// the problems that refused the send. A broadcast and a run here are the same as in every other command.
import type { PreparedSend, SkippedRow } from '../../core/broadcast/prepare.js';
import type { SendProblem } from '../../core/broadcast/mapping.js';
import type { ServerSendResult } from '../../core/broadcast/server-send.js';
import type { EarlierSend } from '../../core/broadcast/dedupe.js';
import type { RunResult } from '../../core/broadcast/fanout-run.js';
import type { RunStory } from '../../core/runs/story.js';
import { quietHoursApply } from '../../core/broadcast/quiet-hours.js';
import type { TimeFormat } from '../time.js';
import { runJson, runRecipient, statusJson, type RunRecipient } from './broadcast.js';
import { channel } from './channel.js';
import { sendProblemJson, skippedRowJson } from './problem.js';

/** The pace of a fan-out's dry run: its rate and how long it will take at it. */
export interface Pace {
  ratePerSecond: number;
  expectedSeconds: number;
}

/** `--dry-run`: who would get what, through which channels, at what cost (rupiah, as numbers), and when. */
export function dryRunJson(p: PreparedSend, pace: Pace | undefined, t: TimeFormat) {
  const s = p.summary;
  const q = s.quietHours;
  return {
    dryRun: true,
    template: p.template.name,
    language: p.template.language || null,
    channels: p.channels.map((c) => channel.toJson(c, t)),
    recipients: s.recipients,
    skipped: s.skipped,
    costRupiah: s.costRupiah,
    costPerMessageRupiah: s.costPerMessageRupiah,
    /** null: now. */
    sendAt: t.iso(p.sendAt) ?? null,
    idempotencyKey: s.idempotencyKey,
    preview: s.preview,
    optedOut: s.optedOut,
    skippedRows: s.skippedRows.map(skippedRowJson),
    shard: s.shard ?? null,
    quietHours: q ? { window: q.window, timeZone: q.timeZone, inside: q.inside, endsAt: t.iso(q.endsAt) ?? null, applies: quietHoursApply(p.template.category ?? '') } : null,
    ratePerSecond: pace?.ratePerSecond ?? null,
    expectedSeconds: pace?.expectedSeconds ?? null,
  };
}

/** The broadcast a Qontak send made (or, `settled`, the one a send left unknown turned out to have made). */
export function sentJson(r: ServerSendResult, p: PreparedSend, settled: boolean, t: TimeFormat) {
  const schedule = r.schedule;
  return {
    id: r.id,
    name: r.name,
    createdAt: t.iso(r.createdAt) ?? null,
    ...statusJson(r.status),
    recipients: r.recipients,
    schedule: schedule ? { state: schedule.kind, sendAt: schedule.kind === 'scheduled' ? (t.iso(schedule.sendAt) ?? null) : null, asked: t.iso(p.sendAt) ?? null } : null,
    idempotencyKey: p.key,
    skippedRows: p.summary.skippedRows.map(skippedRowJson),
    firstMessages: r.firstMessages ?? null,
    settled,
  };
}

/** A recipient a fresh run left out: it already got this very text within the dedupe window. */
const earlierJson = (e: EarlierSend, t: TimeFormat) => ({ row: e.row, phone: e.phone, name: e.name, at: t.iso(e.at) ?? e.at, messageId: e.messageId });

/** What a send adds to a run's end: who the look before it left out, and the rows --skip-invalid left out. */
export interface RunExtras {
  leftOut?: readonly EarlierSend[];
  skippedRows?: readonly SkippedRow[];
}

/** A Konekwa run as it ended: its story, what was checked with the server, why it stopped, and its recipients. */
export function runEndJson(res: RunResult, story: RunStory, recipients: readonly RunRecipient[], settlesAt: number | undefined, extra: RunExtras, t: TimeFormat) {
  const r = res.summary;
  return {
    ...runJson(story, t),
    checkedWithServer: r.checked,
    foundOnServer: r.foundOnServer,
    interrupted: r.interrupted,
    stopped: r.stopped ?? null,
    /** Each session that stopped, with why (the others went on). */
    stoppedSessions: Object.entries(r.stoppedLanes).map(([session, reason]) => ({ session, reason })),
    quietHoursEnd: t.iso(res.quietHours?.endsAt) ?? null,
    reconcileError: r.reconcileError ?? null,
    settlesAt: t.iso(settlesAt) ?? null,
    alreadyReceived: (extra.leftOut ?? []).map((e) => earlierJson(e, t)),
    elapsedMs: r.elapsedMs,
    recipients: recipients.map((x) => runRecipient.toJson(x, t)),
    skippedRows: (extra.skippedRows ?? []).map(skippedRowJson),
  };
}

/** A fresh run with nobody left to send to: every recipient already got this text. No run was made, so no id. */
export const nothingToSendJson = (p: PreparedSend, extra: RunExtras, t: TimeFormat) => ({
  id: null,
  name: p.name,
  createdAt: null,
  status: 'done' as const,
  total: 0,
  sent: 0,
  failed: 0,
  unknown: 0,
  notSent: 0,
  alreadyReceived: (extra.leftOut ?? []).map((e) => earlierJson(e, t)),
  skippedRows: (extra.skippedRows ?? []).map(skippedRowJson),
});

/** A send refused before anything left (`sent` is a count, as in every output): every problem, with its row. */
export const refusedJson = (problems: readonly SendProblem[]) => ({ sent: 0, problems: problems.map(sendProblemJson) });
