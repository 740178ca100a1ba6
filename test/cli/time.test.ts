import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFormat } from '../../src/cli/time.js';

test('times are shown in the zone TZ names, with its offset; --json form is ISO 8601 with the same offset', () => {
  const wib = timeFormat({ TZ: 'Asia/Jakarta' });
  assert.equal(wib.text('2026-11-03T07:05:09Z'), '2026-11-03 14:05:09 +07:00');
  assert.equal(wib.iso('2026-11-03T07:05:09.123Z'), '2026-11-03T14:05:09+07:00');
  assert.equal(timeFormat({ TZ: ':UTC' }).iso('2026-11-03T07:05:09Z'), '2026-11-03T07:05:09+00:00');
  // Across midnight and with a half-hour zone.
  assert.equal(timeFormat({ TZ: 'Asia/Kolkata' }).text('2026-11-03T20:00:00Z'), '2026-11-04 01:30:00 +05:30');
  // Daylight saving follows the date, not today.
  const ny = timeFormat({ TZ: 'America/New_York' });
  assert.equal(ny.iso('2026-07-01T12:00:00Z'), '2026-07-01T08:00:00-04:00');
  assert.equal(ny.iso('2026-12-01T12:00:00Z'), '2026-12-01T07:00:00-05:00');
});

test('missing and unreadable values pass through; an unknown TZ falls back to the system zone', () => {
  const t = timeFormat({ TZ: 'Asia/Jakarta' });
  assert.equal(t.text(undefined), '');
  assert.equal(t.iso(null), undefined);
  assert.equal(t.text('soon'), 'soon');
  assert.equal(timeFormat({ TZ: 'Not/AZone' }).zone, Intl.DateTimeFormat().resolvedOptions().timeZone);
});

test('durations: defaults are shown as typed, and a bare number is seconds everywhere', async () => {
  const { formatDuration, parseDuration } = await import('../../src/cli/spec.js');
  assert.equal(formatDuration(600_000), '10m');
  assert.equal(formatDuration(5000), '5s');
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(1500), '1500ms');
  const p = parseDuration('--timeout');
  assert.equal(p('600'), 600_000);
  assert.equal(p('10m'), 600_000);
  assert.equal(p(formatDuration(90_000)), 90_000);
});

test('the quick wall-clock path agrees with Intl at every instant tried, across offset changes and odd offsets', () => {
  // Intl's own answer, field by field, as the reference.
  const reference = (zone: string, ms: number): string => {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' });
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.replace('GMT', '');
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
  };
  // Daylight saving on both hemispheres, half- and quarter-hour zones, a 30-minute DST shift (Lord Howe), a zone
  // whose 1972 offset had seconds (Monrovia), and a date-line jump (Apia skipped 30 December 2011).
  const zones = ['UTC', 'Asia/Jakarta', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Sao_Paulo', 'Africa/Monrovia', 'Pacific/Apia', 'America/St_Johns'];
  let seed = 7;
  const rand = (): number => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  let compared = 0;
  for (const zone of zones) {
    const t = timeFormat({ TZ: zone });
    const instants: number[] = [];
    // Random instants from 1960 to 2060, and every minute around each New York and Lord Howe change of 2026.
    for (let i = 0; i < 1500; i++) instants.push(Math.floor(-315_619_200_000 + rand() * 3_155_760_000_000));
    for (const change of [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 3, 4, 15), Date.UTC(2026, 9, 3, 15.5), Date.UTC(1972, 0, 7), Date.UTC(2011, 11, 30, 10)]) {
      for (let m = -40; m <= 40; m++) instants.push(change + m * 60_000 + (m % 3) * 999);
    }
    // Monrovia left -00:44:30 at 00:44:30 UTC on 7 January 1972: a change inside a quarter hour, second by second.
    for (let s = -120; s <= 120; s++) instants.push(Date.UTC(1972, 0, 7, 0, 44, 30) + s * 1000);
    for (const ms of instants) {
      assert.equal(t.iso(ms), reference(zone, ms), `${zone} at ${new Date(ms).toISOString()}`);
      compared++;
    }
    assert.equal(t.text(instants[0]!), reference(zone, instants[0]!).replace('T', ' ').replace(/([+-]\d\d:\d\d(:\d\d)?)$/, ' $1'));
  }
  assert.ok(compared > 20_000);
});

test('a time typed by a person: a date alone is midnight in TZ, a time without offset is local, Z and offsets are kept', () => {
  const wib = timeFormat({ TZ: 'Asia/Jakarta' });
  assert.equal(new Date(wib.parse('2026-11-01')).toISOString(), '2026-10-31T17:00:00.000Z');
  assert.equal(new Date(wib.parse('2026-11-01T08:30')).toISOString(), '2026-11-01T01:30:00.000Z');
  assert.equal(new Date(wib.parse('2026-11-01 08:30:15')).toISOString(), '2026-11-01T01:30:15.000Z');
  assert.equal(new Date(wib.parse('2026-11-01T00:00:00Z')).toISOString(), '2026-11-01T00:00:00.000Z');
  assert.equal(new Date(wib.parse('2026-11-01T00:00:00+05:30')).toISOString(), '2026-10-31T18:30:00.000Z');
  assert.equal(new Date(wib.parse('2026-11-01T00:00:00-0300')).toISOString(), '2026-11-01T03:00:00.000Z');
  // Daylight saving follows the day typed.
  const ny = timeFormat({ TZ: 'America/New_York' });
  assert.equal(new Date(ny.parse('2026-07-01')).toISOString(), '2026-07-01T04:00:00.000Z');
  assert.equal(new Date(ny.parse('2026-12-01')).toISOString(), '2026-12-01T05:00:00.000Z');
  for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '2026-11-01T24:00', '1 Nov 2026', '']) assert.ok(Number.isNaN(wib.parse(bad)), bad);
});
