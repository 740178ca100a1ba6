// Tables on an 80-column terminal (COLUMNS=80): every line fits, no cell is broken in the middle of a word (ids are
// shortened and optional columns left out first), and piped output keeps every column and every id whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import { sendArgs, sheet } from '../helpers/fanout.js';
import { fitCell, shortId, wrapWords } from '../../src/cli/output.js';

const bed = sharedTestBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });

const at80 = (flavour: 'qontak-hmac' | 'konekwa') => ({ env: bed.env(flavour, { COLUMNS: '80', NO_COLOR: '1', WA_RECONCILE_SETTLE_MS: '50' }), tty: true });

/** A boxed table's rows, each cell's lines joined with a space (a continuation line has an empty first cell). */
function boxedRows(out: string): { header: string[]; rows: string[][] } {
  const lines = out.trimEnd().split('\n').filter((l) => l.startsWith('│'));
  const cells = lines.map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
  const [header, ...body] = cells;
  const rows: string[][] = [];
  for (const c of body) {
    if (c[0] === '' && rows.length > 0) rows.at(-1)!.forEach((v, i) => (rows.at(-1)![i] = c[i] ? `${v} ${c[i]}` : v));
    else rows.push(c);
  }
  return { header: header!, rows };
}

function fitsIn80(out: string): void {
  const wide = out.split('\n').find((l) => [...l].length > 80);
  assert.equal(wide, undefined, `a line over 80 columns:\n${wide}`);
}

test('templates list at 80 columns: names whole on one line, ids shortened, optional columns left out; TSV has them all', async () => {
  const r = await runCli(['templates', 'list', '--all'], at80('qontak-hmac'));
  assert.equal(r.code, 0, r.stderr);
  fitsIn80(r.stdout);
  const json = JSON.parse((await runCli(['templates', 'list', '--all', '--json'], { env: bed.env('qontak-hmac') })).stdout) as { id: string; name: string; status: string }[];
  const { header, rows } = boxedRows(r.stdout);
  assert.deepEqual(header, ['NAME', 'LANGUAGE', 'CATEGORY', 'STATUS', 'ID']);
  assert.equal(rows.length, json.length, 'one line per template: nothing wrapped');
  rows.forEach((row, i) => {
    assert.equal(row[0], json[i]!.name, 'the name whole');
    assert.equal(row[3], json[i]!.status);
    assert.equal(row[4], shortId(json[i]!.id));
    assert.ok(json[i]!.id.startsWith(row[4]!.replace('…', '')), 'a shortened id is its start');
  });
  // Piped: every column, every id whole.
  const tsv = await runCli(['templates', 'list', '--all'], { env: bed.env('qontak-hmac') });
  const first = tsv.stdout.split('\n')[0]!.split('\t');
  assert.equal(first.length, 7);
  assert.equal(first[6], json[0]!.id);
  // Wide enough, nothing is shortened or left out.
  const wide = await runCli(['templates', 'list', '--all'], { env: bed.env('qontak-hmac', { COLUMNS: '250', NO_COLOR: '1' }), tty: true });
  assert.deepEqual(boxedRows(wide.stdout).header, ['NAME', 'LANGUAGE', 'CATEGORY', 'STATUS', 'PLACEHOLDERS', 'QUALITY', 'ID']);
  assert.ok(wide.stdout.includes(json[0]!.id));
});

test('broadcast list at 80 columns: a long name wraps only between words, ids shortened; JSON and TSV keep the full id', async () => {
  const name = 'November promo for the loyal customers of Toko Maju Jaya in Jakarta and Bandung';
  const b = bed.sandbox.state.seedBroadcast({ recipients: 3, startAtMs: Date.now() - 3_600_000, name });
  const r = await runCli(['broadcast', 'list'], at80('qontak-hmac'));
  assert.equal(r.code, 0, r.stderr);
  fitsIn80(r.stdout);
  const { header, rows } = boxedRows(r.stdout);
  assert.equal(header[0], 'ID');
  const row = rows.find((x) => x[0] === shortId(b.id));
  assert.ok(row, r.stdout);
  assert.equal(row[header.indexOf('NAME')], name, 'the name, its lines joined at spaces, is the name');
  const tsv = await runCli(['broadcast', 'list'], { env: bed.env('qontak-hmac') });
  assert.ok(tsv.stdout.split('\n').some((l) => l.startsWith(`${b.id}\t${name}\t`)));
});

test('the local fan-out runs (Konekwa broadcast list) fit 80 columns with the run id recognisable', async () => {
  const sent = await runCli([...sendArgs(sheet(bed, 3, '0816'), ['--rate', '200/s']), '--json'], { env: bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' }) });
  assert.equal(sent.code, 0, sent.stderr);
  const runId = JSON.parse(sent.stdout).id as string;
  const r = await runCli(['broadcast', 'list'], at80('konekwa'));
  assert.equal(r.code, 0, r.stderr);
  fitsIn80(r.stdout);
  const { rows } = boxedRows(r.stdout);
  assert.ok(rows.some((x) => x[0] === runId || x[0] === shortId(runId)), r.stdout);
});

test('logs tail on a terminal prints the table (header, one line per entry, 80 columns); piped it is TSV', async () => {
  const b = bed.sandbox.state.seedBroadcast({ recipients: 12, startAtMs: Date.now() - 3_600_000, failureRate: 0.5 });
  const r = await runCli(['logs', 'tail', b.id], at80('qontak-hmac'));
  assert.equal(r.code, 0, r.stderr);
  fitsIn80(r.stdout);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^TIME\s+PHONE\s+STATUS\s+ERROR$/);
  assert.equal(lines.length, 13, 'a header and one line per entry');
  assert.ok(lines.slice(1).every((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d {2}62\d+ +(pending|sent|delivered|read|failed)\b/.test(l)), r.stdout);
  assert.ok(!r.stdout.includes('\t'));
  const piped = await runCli(['logs', 'tail', b.id], { env: bed.env('qontak-hmac') });
  assert.equal(piped.stdout.trimEnd().split('\n')[0]!.split('\t').length, 5);
});

test('cells are cut or wrapped only at spaces; a word longer than its column is shortened with an ellipsis, never split', () => {
  assert.equal(wrapWords('November promo for loyal customers', 12), 'November\npromo for\nloyal\ncustomers');
  assert.equal(wrapWords('campaign_2026_12_draft', 12), 'campaign_20…');
  assert.equal(fitCell('User is not valid', 12), 'User is not…');
  assert.equal(fitCell('User is notified', 12), 'User is…    ');
  assert.equal(fitCell('Message undeliverable', 12), 'Message…    ');
  assert.equal(fitCell('read', 6), 'read  ');
  assert.equal(shortId('98b463bc-a8f1-4f19-84df-ae62967ff795'), '98b463bc…');
  assert.equal(shortId('20261122-083015-a1b2c3'), '20261122…a1b2c3');
  assert.equal(shortId('tpl_promo_nov'), 'tpl_promo_nov');
});
