// The typed-array duplicate table against a Map of strings: the same first row for every number, seen or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenNumbers } from '../../../src/core/contacts/seen-numbers.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

test('SeenNumbers.firstRow answers as a Map would over 100,000 numbers with duplicates, growth and odd keys', () => {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // Keys a rounding to a double or a careless parse would merge: 15 digits (the most that is exact), 16 to 20
  // digits (not exact), leading zeros, signs, spaces, letters, the empty string.
  const odd = [
    '999999999999999', '999999999999998', '100000000000000', '9007199254740993', '9007199254740992', '12345678901234567890',
    '0', '00', '0812345678', '812345678', '+62812345678', '62812345678 ', ' 62812345678', '1e5', '100000', '0x10', '16',
    'abc', '', '६२८१२', '1.5', '1_000', '-1', '1',
  ];
  const pool: string[] = [];
  for (let k = 0; k < 30_000; k++) pool.push(`62${8 + Math.floor(rnd() * 2)}${String(Math.floor(rnd() * 1e10)).padStart(10, '0')}`);
  const seen = new SeenNumbers();
  const oracle = new Map<string, number>();
  for (let row = 2; row < 100_002; row++) {
    const r = rnd();
    const phone = r < 0.05 ? pick(odd) : r < 0.6 ? pick(pool) : String(1 + Math.floor(rnd() * 999_999_999_999_999));
    const want = oracle.get(phone);
    if (want === undefined) oracle.set(phone, row);
    assert.equal(seen.firstRow(phone, row), want, `row ${row}: "${phone}"`);
  }
  assert.ok(oracle.size > 50_000, 'the table grew many times');
  // Every key asked again answers its first row and remembers nothing new.
  for (const [phone, row] of oracle) assert.equal(seen.firstRow(phone, 999_999), row, `"${phone}" asked again`);
});
