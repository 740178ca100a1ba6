import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietStatus, quietWindow, refuseInQuietHours } from '../../../src/core/broadcast/quiet-hours.js';

test('quiet hours: overnight and same-day windows in the profile zone, the end time, the exempt categories, bad settings', () => {
  const night = quietWindow('21:00-08:00', 'Asia/Jakarta')!;
  // 2026-11-22 07:59 and 08:00 in Jakarta (UTC+7).
  assert.equal(quietStatus(night, Date.parse('2026-11-22T00:59:30Z')).endsAtText, '2026-11-22 08:00 Asia/Jakarta');
  assert.equal(quietStatus(night, Date.parse('2026-11-22T00:59:30Z')).endsAt, Date.parse('2026-11-22T01:00:00Z'));
  assert.equal(quietStatus(night, Date.parse('2026-11-22T01:00:00Z')).inside, false);
  assert.equal(quietStatus(night, Date.parse('2026-11-22T14:00:00Z')).inside, true); // 21:00
  const lunch = quietWindow('12:00-13:00', 'UTC')!;
  assert.equal(quietStatus(lunch, Date.parse('2026-11-22T12:30:00Z')).inside, true);
  assert.equal(quietStatus(lunch, Date.parse('2026-11-22T13:30:00Z')).inside, false);
  const inside = quietStatus(night, Date.parse('2026-11-22T15:00:00Z'));
  assert.throws(() => refuseInQuietHours(inside, 'MARKETING'), /until 2026-11-23 08:00 Asia\/Jakarta/);
  assert.throws(() => refuseInQuietHours(inside, 'text'), /without a Meta category/);
  refuseInQuietHours(inside, 'UTILITY');
  refuseInQuietHours(inside, 'AUTHENTICATION');
  assert.equal(quietWindow(undefined, 'Asia/Jakarta'), undefined);
  assert.throws(() => quietWindow('21-08', 'Asia/Jakarta'), /quietHours "21-08" in the profile is not a window/);
  assert.throws(() => quietWindow('21:00-08:00', 'Jakarta'), /timeZone "Jakarta" in the profile is not an IANA time zone/);
});
