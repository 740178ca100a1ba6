import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFormat } from '../../../src/cli/time.js';

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
  const { formatDuration, parseDuration } = await import('../../../src/cli/command-kit.js');
  assert.equal(formatDuration(600_000), '10m');
  assert.equal(formatDuration(5000), '5s');
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(1500), '1500ms');
  const p = parseDuration('--timeout');
  assert.equal(p('600'), 600_000);
  assert.equal(p('10m'), 600_000);
  assert.equal(p(formatDuration(90_000)), 90_000);
});
