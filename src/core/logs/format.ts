// One line per log event, for people (text) and for programs (JSON Lines), and the --status filter.
import { InputError } from '../input-error.js';
import { LOG_STATUSES, type LogEntry, type LogStatus, timeOfStatus } from './entry.js';

/** What the follower reports: an entry seen for the first time, or an entry whose status moved forward. */
export type LogEvent =
  | { kind: 'new'; entry: LogEntry; seenAt?: string }
  | { kind: 'change'; entry: LogEntry; from: LogStatus; to: LogStatus; seenAt?: string };

/**
 * Names, phones and reasons come from spreadsheets and remote APIs: control characters (newlines, ESC sequences)
 * would break the one-line-per-entry promise or drive the terminal, so they become spaces.
 */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** "2024-10-15 21:18:44" from an ISO time; other text is passed through cleaned. */
function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : cleanText(iso);
}

const asEvent = (x: LogEntry | LogEvent): LogEvent => ('kind' in x && 'entry' in x ? x : { kind: 'new', entry: x });

/**
 * "time  phone  name  status  error", columns padded for a terminal. The time is the one belonging to the entry's
 * current status (else when it was created, else when it was seen); a change shows "from → to".
 */
export function formatEntryLine(x: LogEntry | LogEvent): string {
  const ev = asEvent(x);
  const e = ev.entry;
  const time = shortTime(timeOfStatus(e) ?? ev.seenAt).padEnd(19);
  const status = ev.kind === 'change' ? `${ev.from} → ${ev.to}` : e.status;
  const cols = [time, cleanText(e.phone).padEnd(15), cleanText(e.name ?? '-').padEnd(20), status.padEnd(9)];
  if (e.error !== undefined) cols.push(cleanText(e.error));
  return cols.join('  ').trimEnd();
}

/** One JSON object on one line (no trailing newline): {event, from?, to?, ...entry, seenAt?}. */
export function toJsonLine(x: LogEntry | LogEvent): string {
  const ev = asEvent(x);
  const head = ev.kind === 'change' ? { event: 'change', from: ev.from, to: ev.to } : { event: 'new' };
  // JSON.stringify already escapes newlines; U+2028/2029 are escaped too so line-splitting readers stay safe.
  return JSON.stringify({ ...head, ...ev.entry, ...(ev.seenAt !== undefined ? { seenAt: ev.seenAt } : {}) }).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** `--status failed,read` → the set of statuses to show; undefined (show all) when the flag is absent or empty. */
export function parseStatusFilter(value: string | undefined): ReadonlySet<LogStatus> | undefined {
  if (value === undefined) return undefined;
  const words = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (words.length === 0) return undefined;
  const bad = words.filter((w) => !(LOG_STATUSES as readonly string[]).includes(w));
  if (bad.length > 0) throw new InputError(`--status: "${bad.join(',')}" is not a status; use any of ${LOG_STATUSES.join(', ')}.`);
  return new Set(words as LogStatus[]);
}

/** An event passes the filter when the entry's current status is one of those asked for. */
export function matchesStatusFilter(ev: LogEvent, filter: ReadonlySet<LogStatus> | undefined): boolean {
  return filter === undefined || filter.has(ev.entry.status);
}
