// What `broadcast send` prints: the summary shown before the question (a dry run's result too), a dry run's JSON, the
// broadcast a Qontak send made, a Konekwa run as it ended, or the problems that refused the send. A broadcast and a run
// here are the same as in every other command.
import type { PreparedSend } from '../../core/broadcast/prepare.js';
import type { SendProblem } from '../../core/broadcast/mapping.js';
import type { ServerSendResult } from '../../core/broadcast/server-send.js';
import type { EarlierSend } from '../../core/broadcast/dedupe.js';
import type { Pace, RunEnd, ShownSummary } from '../../core/broadcast/send-io.js';
import { quietHoursApply } from '../../core/broadcast/quiet-hours.js';
import type { TimeFormat } from '../time.js';
import { runJson, runRecipient, statusJson } from './broadcast.js';
import { channel } from './channel.js';
import { sendProblemJson, skippedRowJson } from './problem.js';

/** What a send is about to do, line by line (a line may begin with a blank one); `footer` closes it. */
export function summaryLines(s: ShownSummary, category: string, footer?: string): string[] {
  const lines = [`Template:     ${s.template}`, `Channel:      ${s.channel}`, `Recipients:   ${s.recipients}${s.skipped ? ` (${s.skipped} skipped)` : ''}`, `Cost:         about ${s.cost}`, `When:         ${s.schedule}`];
  if (s.expectedSeconds !== undefined) lines.push(`Duration:     about ${roughDuration(s.expectedSeconds)} at ${s.ratePerSecond}/s (--rate)`);
  lines.push(`Key:          ${s.idempotencyKey}`);
  if (s.optedOut.count) lines.push(`Opted out:    ${s.optedOut.count} left out (rows ${s.optedOut.rows.slice(0, 10).map((r) => r.row).join(', ')}${s.optedOut.count > 10 ? ', …' : ''})`);
  if (s.shard) lines.push(`Shard:        ${s.shard.shard} (${s.shard.otherShards} recipient(s) in the other shards)`);
  if (s.quietHours) lines.push(`Quiet hours:  ${quietLine(s.quietHours, category)}`);
  for (const p of s.preview) {
    lines.push(`\n→ ${p.to}${p.name ? ` (${p.name})` : ''}`);
    for (const line of p.text.split('\n')) lines.push(`  │ ${line}`);
  }
  if (footer) lines.push(`\n${footer}`);
  return lines;
}

/** The window, whether it holds the send, and whether that stops it: a UTILITY or AUTHENTICATION template still goes. */
function quietLine(q: NonNullable<ShownSummary['quietHours']>, category: string): string {
  const window = `${q.window} ${q.timeZone}`;
  if (!q.inside) return `${window}, not now`;
  if (!quietHoursApply(category)) return `${window}, now until ${q.endsAtText}; a ${category.toUpperCase()} template is sent in them`;
  return `${window}, now, until ${q.endsAtText}: not sent before then (--ignore-quiet-hours overrides)`;
}

/** "2 h 47 m", "12 m", "40 s". */
function roughDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${h} h ${m} m`;
  return m > 0 ? `${m} m` : `${seconds} s`;
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
    // `rows` is a count wherever else it appears.
    optedOut: { count: s.optedOut.count, entries: s.optedOut.rows },
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

/** A Konekwa run as it ended: its story, what was checked with the server, why it stopped, and its recipients. */
export function runEndJson(end: RunEnd, t: TimeFormat) {
  const res = end.result;
  const r = res.summary;
  return {
    ...runJson(end.story, t),
    checkedWithServer: r.checked,
    foundOnServer: r.foundOnServer,
    interrupted: r.interrupted,
    stopped: r.stopped ?? null,
    /** Each session that stopped, with why (the others went on). */
    stoppedSessions: Object.entries(r.stoppedLanes).map(([session, reason]) => ({ session, reason })),
    quietHoursEnd: t.iso(res.quietHours?.endsAt) ?? null,
    reconcileError: r.reconcileError ?? null,
    settlesAt: t.iso(end.settlesAt) ?? null,
    alreadyReceived: end.leftOut.map((e) => earlierJson(e, t)),
    elapsedMs: r.elapsedMs,
    // Each recipient with its outcome (`recipients` is a count wherever else it appears).
    outcomes: end.recipients.map((x) => runRecipient.toJson(x, t)),
    skippedRows: end.skippedRows.map(skippedRowJson),
  };
}

/** A fresh run with nobody left to send to: every recipient already got this text. No run was made, so no id. */
export const nothingToSendJson = (p: PreparedSend, leftOut: readonly EarlierSend[], t: TimeFormat) => ({
  id: null,
  name: p.name,
  createdAt: null,
  status: 'done' as const,
  total: 0,
  sent: 0,
  failed: 0,
  unknown: 0,
  notSent: 0,
  alreadyReceived: leftOut.map((e) => earlierJson(e, t)),
  skippedRows: p.summary.skippedRows.map(skippedRowJson),
});

/** A send refused before anything left (`sent` is a count, as in every output): every problem, with its row. */
export const refusedJson = (problems: readonly SendProblem[]) => ({ sent: 0, problems: problems.map(sendProblemJson) });
