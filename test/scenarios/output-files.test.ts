// Output files (--out): checked before any work, written atomically with mode 0600, formula-like cells neutralised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';

const bed = sharedTestBed({ speed: 4 });

const mode = (f: string) => statSync(f).mode & 0o777;

test('logs export <bad id> --out existing.csv: exit 3 and the existing file is untouched, no temporary left', async () => {
  const dir = path.join(bed.dir, 'bad-id');
  mkdirSync(dir);
  const out = path.join(dir, 'existing.csv');
  writeFileSync(out, 'precious,data\r\n');
  const r = await runCli(['logs', 'export', 'no-such-broadcast', '--out', out], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(readFileSync(out, 'utf8'), 'precious,data\r\n');
  assert.deepEqual(readdirSync(dir), ['existing.csv']);
});

test('--out a folder or inside a missing folder: one line, exit 2, before any remote call', async () => {
  const csv = path.join(bed.dir, 'few.csv');
  writeFileSync(csv, 'phone_number,full_name\r\n081234567890,Budi\r\n');
  const cases: [string[], RegExp][] = [
    [['logs', 'export', 'any-id', '--out', bed.dir], /^--out .+ is a folder; give a file name inside it\.$/],
    [['logs', 'export', 'any-id', '--out', path.join(bed.dir, 'missing', 'log.csv')], /^--out .+log\.csv: the folder .+missing does not exist\.$/],
    [['logs', 'export', 'any-id', '--out', path.join(csv, 'log.csv')], /^--out .+: .+few\.csv is not a folder\.$/],
    [['logs', 'export', 'any-id', '--out', path.join(bed.dir, 'log.txt')], /^--out .+log\.txt: write a \.csv or \.xlsx file\.$/],
    [['contacts', 'validate', csv, '--out', bed.dir], /^--out .+ is a folder; give a file name inside it\.$/],
    [['contacts', 'validate', csv, '--out', path.join(bed.dir, 'missing', 'clean.csv')], /the folder .+missing does not exist\.$/],
  ];
  for (const [args, message] of cases) {
    const before = bed.sandbox.state.requests.length;
    const r = await runCli(args, { env: bed.env('qontak-hmac') });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!.replace(/^error: /, ''), message);
    assert.equal(bed.sandbox.state.requests.length, before, `${args.join(' ')}: no request made`);
  }
});

test('logs export writes a 0600 file, replacing an old one whole', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 30, startAtMs: Date.now() - 3_600_000 });
  const dir = path.join(bed.dir, 'export-mode');
  mkdirSync(dir);
  for (const name of ['log.csv', 'log.xlsx']) {
    const out = path.join(dir, name);
    writeFileSync(out, 'old', { mode: 0o644 });
    const r = await runCli(['logs', 'export', b.id, '--out', out], { env: bed.env('qontak-hmac') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mode(out), 0o600, name);
    assert.notEqual(readFileSync(out, 'utf8'), 'old');
  }
  assert.deepEqual(readdirSync(dir).sort(), ['log.csv', 'log.xlsx']);
});

test('contacts validate --out: formula-like cells neutralised in CSV and XLSX, file 0600', async () => {
  const csv = path.join(bed.dir, 'formulas.csv');
  writeFileSync(csv, 'phone_number,full_name,note\r\n081234567890,=HYPERLINK("http://x"),+1 bonus\r\n081234567891,@SUM(A1),-5\r\n081234567892,Budi,ok\r\n');
  const outCsv = path.join(bed.dir, 'clean-formulas.csv');
  const r = await runCli(['contacts', 'validate', csv, '--out', outCsv], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(mode(outCsv), 0o600);
  const lines = readFileSync(outCsv, 'utf8').split('\r\n');
  assert.equal(lines[1], `6281234567890,"'=HYPERLINK(""http://x"")",'+1 bonus`);
  assert.equal(lines[2], `6281234567891,'@SUM(A1),'-5`);
  assert.equal(lines[3], '6281234567892,Budi,ok');
  const outXlsx = path.join(bed.dir, 'clean-formulas.xlsx');
  assert.equal((await runCli(['contacts', 'validate', csv, '--out', outXlsx], { env: bed.env('qontak-hmac') })).code, 0);
  assert.equal(mode(outXlsx), 0o600);
  const ws = XLSX.read(readFileSync(outXlsx)).Sheets.contacts!;
  assert.equal(ws.B2!.v, `'=HYPERLINK("http://x")`);
  assert.equal(ws.B2!.f, undefined, 'no formula');
  assert.equal(ws.C3!.v, "'-5");
  assert.equal(ws.B4!.v, 'Budi');
});
