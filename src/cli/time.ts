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
  /** A sentence with every UTC instant in it ("…at 2026-11-03T07:05:09.123Z") written as `text` writes it. */
  inText(sentence: string): string;
  /**
   * A time a person typed, as an instant (ms): a date alone is midnight of that day in this zone, a date and time
   * without an offset is that wall-clock time here, one with `Z` or an offset is that instant. NaN when it is no time.
   */
  parse(text: string): number;
}

// A UTC instant as toISOString() writes it, seconds and fraction optional.
const UTC_INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z(?![\w-])/g;

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

interface Parts {
  date: string;
  time: string;
  offset: string;
}

function intlParts(zone: string, d: Date): Parts {
  const p = Object.fromEntries(formatter(zone).formatToParts(d).map((x) => [x.type, x.value])) as Record<string, string>;
  // longOffset is "GMT+07:00", or "GMT" for UTC itself.
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.replace('GMT', '');
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offset };
}

// Intl's formatToParts costs about 2.7 KB of garbage a call, and a log follow renders up to four times per entry. A
// zone's offset is therefore looked up once per quarter hour of time (Intl at both ends of it; a quarter hour in which
// the offset changes keeps using Intl) and the wall clock is worked out from it.
const SPAN_MS = 15 * 60_000;
const MAX_SPANS = 4096;
type Span = { offsetMs: number; offset: string } | null;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function spanOf(zone: string, spans: Map<number, Span>, key: number): Span {
  let span = spans.get(key);
  if (span !== undefined) return span;
  const start = key * SPAN_MS;
  const a = intlParts(zone, new Date(start));
  const b = intlParts(zone, new Date(start + SPAN_MS - 1000));
  span = null;
  if (a.offset === b.offset && /^\d{4}-\d\d-\d\d$/.test(a.date)) {
    const [y, mo, d] = a.date.split('-').map(Number) as [number, number, number];
    const [h, mi, s] = a.time.split(':').map(Number) as [number, number, number];
    span = { offsetMs: Date.UTC(y, mo - 1, d, h, mi, s) - start, offset: a.offset };
  }
  if (spans.size >= MAX_SPANS) spans.clear();
  spans.set(key, span);
  return span;
}

/** The date, time and offset of `d` in `zone`, as Intl shows them. */
function partsIn(zone: string, spans: Map<number, Span>): (d: Date) => Parts {
  return (d) => {
    const ms = d.getTime();
    const span = spanOf(zone, spans, Math.floor(ms / SPAN_MS));
    if (span === null) return intlParts(zone, d);
    // Wall-clock fields of the local instant, from its day number (proleptic Gregorian, as Intl uses).
    const local = Math.floor((ms + span.offsetMs) / 1000);
    const days = Math.floor(local / 86_400);
    const secs = local - days * 86_400;
    const z = days + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1000 || year > 9999) return intlParts(zone, d);
    return {
      date: `${year}-${pad2(month)}-${pad2(day)}`,
      time: `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`,
      offset: span.offset,
    };
  };
}

// YYYY-MM-DD, optionally THH:MM[:SS[.fff]] (or a space), optionally Z or ±HH:MM.
const TYPED = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/i;

/** The instant at which this zone's wall clock shows these fields (around a change of offset, one of the candidates). */
function wallClock(parts: (d: Date) => Parts, fields: readonly number[]): number {
  const [y, mo, d, h, mi, s] = fields as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (ms: number): number => {
    const p = parts(new Date(ms));
    const [py, pmo, pd] = p.date.split('-').map(Number) as [number, number, number];
    const [ph, pmi, ps] = p.time.split(':').map(Number) as [number, number, number];
    return Date.UTC(py, pmo - 1, pd, ph, pmi, ps) - ms;
  };
  // The offset at the guess, then at the instant it gives: they differ only across a change of offset.
  return asUtc - offsetAt(asUtc - offsetAt(asUtc));
}

export function timeFormat(env: Env): TimeFormat {
  const zone = zoneFrom(env);
  const parts = partsIn(zone, new Map());
  return {
    zone,
    text(value) {
      if (value === null || value === undefined || value === '') return '';
      const d = toDate(value);
      if (!d) return String(value);
      const p = parts(d);
      return `${p.date} ${p.time} ${p.offset}`;
    },
    iso(value) {
      if (value === null || value === undefined || value === '') return undefined;
      const d = toDate(value);
      if (!d) return String(value);
      const p = parts(d);
      return `${p.date}T${p.time}${p.offset}`;
    },
    inText(sentence) {
      return sentence.replace(UTC_INSTANT, (m) => this.text(m));
    },
    parse(text) {
      const m = TYPED.exec(text.trim());
      if (!m) return NaN;
      const fields = m.slice(1, 7).map((x) => Number(x ?? 0));
      const [y, mo, d, h, mi, s] = fields as [number, number, number, number, number, number];
      // Date.UTC rolls 2026-02-31 over into March: a day that does not exist is no date.
      const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
      if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return NaN;
      const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
      const off = m[7]?.replace(':', '');
      if (off === undefined) return wallClock(parts, fields);
      if (off.toUpperCase() === 'Z') return asUtc;
      const sign = off.startsWith('-') ? -1 : 1;
      return asUtc - sign * (Number(off.slice(1, 3)) * 3_600_000 + Number(off.slice(3, 5)) * 60_000);
    },
  };
}
