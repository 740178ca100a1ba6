// Times as a person reads them: in the local zone (TZ honoured, as given in the injected environment) with the offset
// shown, so a user in WIB never reads a UTC time as their own. --json gets ISO 8601 with the same offset.
import type { Env } from '../env.js';

export interface TimeFormat {
  /** The zone used: TZ when it names a zone, else the system's. */
  readonly zone: string;
  /** "2026-11-03 14:05:09 +07:00"; text that is not a time is returned as given, nothing as "". */
  text(value: string | number | Date | null | undefined): string;
  /** "2026-11-03T14:05:09+07:00"; text that is not a time is returned as given, nothing as undefined. */
  iso(value: string | number | Date | null | undefined): string | undefined;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function zoneFrom(env: Env): string {
  // POSIX allows a leading colon (TZ=:Asia/Jakarta).
  const tz = env.TZ?.replace(/^:/, '').trim();
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz;
    } catch {
      // Not a zone name Intl knows (e.g. a POSIX rule string): the system's zone, as the C library would guess.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = cache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    cache.set(zone, f);
  }
  return f;
}

function toDate(value: string | number | Date): Date | undefined {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function parts(zone: string, d: Date): { date: string; time: string; offset: string } {
  const p = Object.fromEntries(formatter(zone).formatToParts(d).map((x) => [x.type, x.value])) as Record<string, string>;
  // longOffset is "GMT+07:00", or "GMT" for UTC itself.
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.replace('GMT', '');
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offset };
}

export function timeFormat(env: Env): TimeFormat {
  const zone = zoneFrom(env);
  return {
    zone,
    text(value) {
      if (value === null || value === undefined || value === '') return '';
      const d = toDate(value);
      if (!d) return String(value);
      const p = parts(zone, d);
      return `${p.date} ${p.time} ${p.offset}`;
    },
    iso(value) {
      if (value === null || value === undefined || value === '') return undefined;
      const d = toDate(value);
      if (!d) return String(value);
      const p = parts(zone, d);
      return `${p.date}T${p.time}${p.offset}`;
    },
  };
}
