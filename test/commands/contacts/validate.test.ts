// Exit code follows severity: every finding printed as error: fails validate, and upload never drops what it reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 50 });

const file = (name: string, text: string): string => {
  const f = path.join(bed.dir, name);
  writeFileSync(f, text);
  return f;
};

test('a 17-character header is an error: validate exits 1, upload refuses even with --skip-invalid', async () => {
  const csv = file('long-header.csv', 'phone_number,full_name,alamat_pengiriman\n081234567890,Budi,Jl. Merdeka 1\n');
  const v = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac') });
  assert.equal(v.code, 1, v.stdout);
  assert.match(v.stdout, /error: C1 header "alamat_pengiriman": variable names must be 2 to 16 characters/);
  const uploads = bed.sandbox.state.uploads.length;
  const u = await runCli(['contacts', 'upload', csv, '--name', 'x', '--skip-invalid'], { env: bed.env('qontak-hmac') });
  assert.equal(u.code, 1, u.stderr);
  assert.match(u.stderr, /error\(s\) in its header or layout .*nothing was uploaded/);
  assert.equal(bed.sandbox.state.uploads.length, uploads);
});

test('a file with only a header row is an error (exit 1), not "0 rows" and success', async () => {
  const csv = file('header-only.csv', 'phone_number,full_name\n');
  const v = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac') });
  assert.equal(v.code, 1, v.stdout + v.stderr);
  assert.match(v.stdout, /error: .*header-only\.csv has a header row \(row 1\) but no contacts below it/);
});

test('a control character (NUL) in a cell is an error naming the cell', async () => {
  const csv = file('nul.csv', 'phone_number,full_name\n081234567890,Bu\u0000di\n');
  const v = await runCli(['--json', 'contacts', 'validate', csv], { env: bed.env('qontak-hmac') });
  assert.equal(v.code, 1);
  const report = JSON.parse(v.stdout);
  assert.deepEqual(
    report.problems.map((p: { ruleId: string; column: string; row: number }) => [p.ruleId, p.column, p.row]),
    [['value-control', 'B', 2]],
  );
});

test('a phone number with a letter O is refused with row and column, not read as a shorter number', async () => {
  const csv = file('letter.csv', 'phone_number,full_name\n0812-3456-789O,Budi\n0812 3456 7890 ext,Sari\n');
  const v = await runCli(['contacts', 'validate', csv], { env: bed.env('qontak-hmac') });
  assert.equal(v.code, 1);
  assert.match(v.stdout, /error: A2 \(phone_number\): "0812-3456-789O" is not a phone number: it contains "O"/);
  assert.match(v.stdout, /error: A3 \(phone_number\): "0812 3456 7890 ext" is not a phone number: it contains "e"/);
  assert.doesNotMatch(v.stdout, /628123456789\b/);
});
