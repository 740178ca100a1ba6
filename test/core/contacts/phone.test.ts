import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePhoneCell, normalisePhoneText } from '../../../src/core/contacts/index.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

const ok = (raw: string, country: Parameters<typeof normalisePhoneText>[1] = DEFAULT_COUNTRY): string => {
  const r = normalisePhoneText(raw, country);
  assert.ok(r.ok, `${raw}: ${r.ok ? '' : r.message}`);
  return r.phone;
};
const code = (raw: string): string => {
  const r = normalisePhoneText(raw, DEFAULT_COUNTRY);
  assert.ok(!r.ok, `${raw} was accepted`);
  return r.code;
};

test('the written forms of one Indonesian mobile number all become 6281234567890', () => {
  for (const raw of ['0812-3456-7890', '+62 812 3456 7890', '(0812) 34567890', '081234567890', '6281234567890', '+6281234567890', '0062 812 3456 7890', '0812.3456.7890', ' 0812 3456 7890 ', '0812\u00a03456\u00a07890']) {
    assert.equal(ok(raw), '6281234567890', raw);
  }
});

test('a number without 0 or country code is read with the default country and flagged', () => {
  const r = normalisePhoneText('81234567890', DEFAULT_COUNTRY);
  assert.deepEqual(r, { ok: true, phone: '6281234567890', noPrefix: true });
});

test('a number that starts with the country code but is not a valid international one is refused, not read as national', () => {
  // As national numbers these would be valid (626281325601, 626221555123), and another number than the one meant.
  for (const raw of ['6281325601', '6221555123', '62 813 2560']) {
    const r = normalisePhoneText(raw, DEFAULT_COUNTRY);
    assert.ok(!r.ok, `${raw} was accepted as ${r.ok ? r.phone : ''}`);
    assert.equal(r.code, 'phone-invalid');
    assert.match(r.message, /starts with 62 like an international number but is not a valid one, and read as a national number it would be 62\d+; type it with \+ or 0 in front$/);
  }
  // Valid as international, or written with 0 or +: read as before.
  assert.equal(ok('62812345678'), '62812345678');
  assert.equal(ok('06281325601'), '626281325601');
  assert.equal(ok('+62 6281325601'), '626281325601');
});

test('other countries: explicit + wins over the default, and the country option changes national parsing', () => {
  assert.equal(ok('+1 415 555 2671'), '14155552671');
  assert.equal(ok('012-345 6789', 'MY'), '60123456789');
  assert.equal(ok('9123 4567', 'SG'), '6591234567');
});

test('invalid and damaged numbers get their own codes', () => {
  assert.equal(code('0812345'), 'phone-invalid');
  assert.equal(code('0812-ABCD-7890'), 'phone-invalid');
  assert.equal(code('0812 3456 7890 ext 12'), 'phone-invalid');
  assert.equal(code('+62 000 0000'), 'phone-invalid');
  assert.equal(code('6.28123E+12'), 'phone-scientific');
  assert.equal(code('6,28123E+12'), 'phone-scientific');
  assert.equal(code('   '), 'phone-missing');
});

test('numeric cells that lost digits are refused with the reason and the cell value; intact ones are read with a caution', () => {
  const lost = normalisePhoneCell({ t: 'n', v: 812345678, w: '812345678' }, DEFAULT_COUNTRY);
  assert.ok(!lost.ok && lost.code === 'phone-leading-zero-lost' && lost.message.includes('0812345678'));
  const sci = normalisePhoneCell({ t: 'n', v: 6281234567890, w: '6.28123E+12' }, DEFAULT_COUNTRY);
  assert.ok(!sci.ok && sci.code === 'phone-scientific' && sci.message.includes('6.28123E+12'));
  const exact = normalisePhoneCell({ t: 'n', v: 6281234567890, w: '6281234567890' }, DEFAULT_COUNTRY);
  assert.ok(exact.ok && exact.phone === '6281234567890' && exact.caution?.code === 'phone-numeric-cell', JSON.stringify(exact));
  const bogus = normalisePhoneCell({ t: 'n', v: 620000001, w: '620000001' }, DEFAULT_COUNTRY);
  assert.ok(!bogus.ok && bogus.code === 'phone-invalid');
  const rounded = normalisePhoneCell({ t: 'n', v: 62812345678901234 }, DEFAULT_COUNTRY);
  assert.ok(!rounded.ok && rounded.code === 'phone-precision');
  const fraction = normalisePhoneCell({ t: 'n', v: 812345678.5 }, DEFAULT_COUNTRY);
  assert.ok(!fraction.ok && fraction.code === 'phone-precision');
  assert.deepEqual(normalisePhoneCell({ t: 's', v: '0812-3456-7890' }, DEFAULT_COUNTRY), { ok: true, phone: '6281234567890' });
  const empty = normalisePhoneCell(undefined, DEFAULT_COUNTRY);
  assert.ok(!empty.ok && empty.code === 'phone-missing');
});

test('a number with a letter, an extension or a pause is refused whole, never shortened or lengthened', () => {
  for (const raw of ['0812-3456-789O', '0812 3456 7890 ext', '0812 3456 7890 x12', '0812-3456-7890#1', '0812-3456-7890,1', '0812 3456 7890;ext=2', 'O812-3456-7890', '+62 812 3456 789l']) {
    const r = normalisePhoneText(raw, DEFAULT_COUNTRY);
    assert.ok(!r.ok, `${raw} was read as ${r.ok ? r.phone : ''}`);
    assert.equal(r.code, 'phone-invalid');
    assert.match(r.message, /contains "/, raw);
  }
  // Digits of other scripts are still digits, and all of them are kept.
  assert.equal(ok('\uff10\uff18\uff11\uff12-3456-7890'), '6281234567890');
});
