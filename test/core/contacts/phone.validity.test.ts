// The validity check with patterns compiled once must answer exactly as libphonenumber's own isValid does, for the
// calling codes it handles itself and for the shared ones it leaves to the library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhoneNumber } from 'libphonenumber-js/max';
import { normalisePhoneText } from '../../../src/core/contacts/index.js';

function libraryValid(e164: string): boolean {
  try {
    return new PhoneNumber(e164 as never).isValid();
  } catch {
    return false;
  }
}

// A small deterministic generator: the same numbers on every run.
function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

test('phone validity: +E.164 numbers are valid exactly when libphonenumber says so (20,000 generated numbers, 20 calling codes)', () => {
  const random = rng(62);
  // Single-country codes (checked by wa-cli's compiled patterns) and shared ones (+1, +7, +44: left to the library).
  const codes = ['62', '60', '65', '66', '63', '84', '91', '86', '81', '49', '33', '971', '880', '234', '55', '1', '7', '44', '61', '31'];
  let valid = 0;
  for (let n = 0; n < 20_000; n++) {
    const code = codes[n % codes.length]!;
    // Half realistic (a mobile-looking start), half any digits; 5 to 12 digits after the code.
    const len = 5 + Math.floor(random() * 8);
    let rest = random() < 0.5 ? '8' : '';
    while (rest.length < len) rest += Math.floor(random() * 10);
    const e164 = `+${code}${rest}`;
    const expected = libraryValid(e164);
    const got = normalisePhoneText(e164, 'ID');
    assert.equal(got.ok, expected, `${e164}: library says ${expected ? 'valid' : 'invalid'}`);
    if (got.ok) {
      valid++;
      assert.equal(got.phone, e164.slice(1));
    }
  }
  // Both answers occur often enough for the comparison to mean something.
  assert.ok(valid > 1000 && valid < 19_000, `${valid} valid of 20,000`);
});

test('phone validity: Indonesian numbers typed the usual ways agree with the library', () => {
  const random = rng(8);
  for (let n = 0; n < 5000; n++) {
    let national = `8${Math.floor(random() * 10)}`;
    const len = 8 + Math.floor(random() * 5);
    while (national.length < len) national += Math.floor(random() * 10);
    const expected = libraryValid(`+62${national}`);
    for (const typed of [`0${national}`, `+62 ${national}`, `+62-${national.slice(0, 3)}-${national.slice(3)}`]) assert.equal(normalisePhoneText(typed, 'ID').ok, expected, typed);
  }
});
