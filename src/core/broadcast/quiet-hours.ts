// Quiet hours: a profile's window (e.g. 21:00-08:00 in Asia/Jakarta) in which marketing sends are not started.
// People asleep do not get promotions; utility and authentication messages (an OTP, an order update) still go.
import { OperationError, UsageError } from '../../errors.js';

export interface QuietWindow {
  /** As written in the profile, e.g. "21:00-08:00". */
  window: string;
  timeZone: string;
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export interface QuietStatus {
  window: string;
  timeZone: string;
  inside: boolean;
  /** When the window that holds `now` ends (ms), if inside. */
  endsAt: number | undefined;
  /** The end as the profile's zone shows it, e.g. "2026-11-23 08:00 Asia/Jakarta". */
  endsAtText: string | undefined;
}

const hhmm = (s: string): number | undefined => {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};

/** The profile's quietHours and timeZone, checked; undefined when the profile sets none. */
export function quietWindow(quietHours: string | undefined, timeZone: string | undefined, where = 'the profile'): QuietWindow | undefined {
  if (quietHours === undefined || quietHours === '') return undefined;
  const [a, b, ...rest] = quietHours.split('-');
  const start = a === undefined ? undefined : hhmm(a);
  const end = b === undefined ? undefined : hhmm(b);
  if (start === undefined || end === undefined || rest.length > 0 || start === end) {
    throw new UsageError(`quietHours "${quietHours}" in ${where} is not a window such as "21:00-08:00" (HH:MM-HH:MM, start and end differ).`);
  }
  const zone = timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new UsageError(`timeZone "${zone}" in ${where} is not an IANA time zone such as Asia/Jakarta.`);
  }
  return { window: quietHours.trim(), timeZone: zone, start, end };
}

function localParts(ms: number, timeZone: string): { date: string; minutes: number; seconds: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute), seconds: Number(parts.second) };
}

export function quietStatus(w: QuietWindow, now: number): QuietStatus {
  const { minutes, seconds } = localParts(now, w.timeZone);
  const inside = w.start < w.end ? minutes >= w.start && minutes < w.end : minutes >= w.start || minutes < w.end;
  if (!inside) return { window: w.window, timeZone: w.timeZone, inside, endsAt: undefined, endsAtText: undefined };
  const endsAt = now - (now % 1000) - seconds * 1000 + (((w.end - minutes + 1440) % 1440) * 60_000);
  const local = localParts(endsAt, w.timeZone);
  const text = `${local.date} ${String(Math.floor(local.minutes / 60)).padStart(2, '0')}:${String(local.minutes % 60).padStart(2, '0')} ${w.timeZone}`;
  return { window: w.window, timeZone: w.timeZone, inside, endsAt, endsAtText: text };
}

/**
 * When the next window begins, from `now` (outside it): a fan-out under way stops issuing then. Inside a window it is
 * `now` itself.
 */
export function nextQuietStart(w: QuietWindow, now: number): number {
  const { minutes, seconds } = localParts(now, w.timeZone);
  if (quietStatus(w, now).inside) return now;
  return now - (now % 1000) - seconds * 1000 + (((w.start - minutes + 1440) % 1440) * 60_000);
}

/** Utility and authentication templates are exempt; a template without a Meta category (Konekwa) may be promotional. */
export function quietHoursApply(category: string): boolean {
  return !['UTILITY', 'AUTHENTICATION'].includes(category.toUpperCase());
}

/** Refuses to start a marketing send inside the window (exit 1), saying when it ends. */
export function refuseInQuietHours(status: QuietStatus | undefined, category: string): void {
  if (!status?.inside || !quietHoursApply(category)) return;
  const what = category.toUpperCase() === 'MARKETING' ? 'a MARKETING template is' : `a template without a Meta category ("${category}") counts as marketing and is`;
  throw new OperationError(`Not sending: quiet hours (${status.window} ${status.timeZone}) last until ${status.endsAtText}; ${what} not sent inside them.`, {
    hint: 'Run it again after they end, or pass --ignore-quiet-hours.',
  });
}
