// Shards, quiet hours and the signed-off preview, over real HTTP against the sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { crlfSheet as sheet, sendArgs } from '../helpers/fanout.js';

const send = (file: string, extra: string[] = []) => sendArgs(file, ['--rate', '500/s', ...extra]);

test('two shards of one list reach every recipient exactly once between them, each with its own key', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    const n = 60;
    const file = sheet(bed, n);
    const one = await runCli([...send(file, ['--shard', '1/2']), '--json'], { env });
    assert.equal(one.code, 0, one.stderr);
    const afterOne = new Map(bed.sandbox.state.sendsByRecipient);
    assert.ok(afterOne.size > 0 && afterOne.size < n, `shard 1 holds part of the list (${afterOne.size})`);
    const two = await runCli([...send(file, ['--shard', '2/2']), '--json'], { env });
    assert.equal(two.code, 0, two.stderr);
    const sends = bed.sandbox.state.sendsByRecipient;
    assert.equal(sends.size, n, 'every recipient reached');
    assert.deepEqual([...sends].filter(([, c]) => c !== 1), [], 'none twice');
    // The same shard again is the same key: refused.
    const again = await runCli(send(file, ['--shard', '1/2']), { env });
    assert.equal(again.code, 5, again.stderr);
    const keyOf = async (extra: string[]) => JSON.parse((await runCli([...send(file, extra), '--dry-run', '--json'], { env })).stdout).idempotencyKey as string;
    const keys = [await keyOf(['--shard', '1/2']), await keyOf(['--shard', '2/2']), await keyOf([])];
    assert.equal(new Set(keys).size, 3, `each shard and the whole list have their own key: ${keys.join(', ')}`);
    const bad = await runCli(send(file, ['--shard', '3/2']), { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--shard 3\/2: write I\/N with 1 ≤ I ≤ N/);
  } finally {
    await bed.close();
  }
});

test('a marketing send refuses to start inside quiet hours, saying when they end; --ignore-quiet-hours sends; the dry run shows the window', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    bed.profile({ quietHours: '21:00-08:00', timeZone: 'Asia/Jakarta' });
    const file = sheet(bed, 3);
    // 22:30 in Jakarta (UTC+7) today: inside the window, which ends at 08:00 the next local day. The clock moves.
    const today = new Date().toISOString().slice(0, 10);
    const offset = Date.parse(`${today}T15:30:00Z`) - Date.now();
    const now = () => Date.now() + offset;
    const next = new Date(Date.parse(`${today}T15:30:00Z`) + 86_400_000).toISOString().slice(0, 10);

    const refused = await runCli(send(file), { env, init: { now } });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`quiet hours \\(21:00-08:00 Asia/Jakarta\\) last until ${next} 08:00 Asia/Jakarta`));
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);

    const dry = await runCli([...send(file), '--dry-run'], { env, init: { now } });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`Quiet hours: {2}21:00-08:00 Asia/Jakarta, now, until ${next} 08:00 Asia/Jakarta`));
    const dryJson = JSON.parse((await runCli([...send(file), '--dry-run', '--json'], { env, init: { now } })).stdout);
    assert.equal(dryJson.quietHours.inside, true);

    // At 10:00 in Jakarta the same send goes.
    const day = await runCli([...send(file), '--dry-run'], { env, init: { now: () => Date.parse(`${today}T03:00:00Z`) } });
    assert.match(day.stdout, /Quiet hours: {2}21:00-08:00 Asia\/Jakarta, not now/);

    const forced = await runCli(send(file, ['--ignore-quiet-hours']), { env, init: { now } });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 3);
  } finally {
    await bed.close();
  }
});

test('--dry-run --out writes every recipient\'s rendered message, formula-safe, as CSV or XLSX; nothing is sent', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('konekwa');
    const file = path.join(bed.dir, 'c.csv');
    writeFileSync(file, 'phone_number,full_name,company\r\n081200000001,Budi,Acme\r\n081200000002,Siti,=1+2\r\n081200000003,=Agus,+Promo\r\n');
    const csv = path.join(bed.dir, 'preview.csv');
    const r = await runCli(['broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', '--dry-run', '--out', csv], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Preview of 3 message\(s\) written/);
    const lines = readFileSync(csv, 'utf8').replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(lines[0], 'row,phone_number,full_name,text,length');
    const text = 'Halo Budi, selamat datang di Acme! Promo November untuk Anda.';
    assert.equal(lines[1], `2,6281200000001,Budi,"${text}",${text.length}`);
    // A cell that a spreadsheet would run as a formula starts with a quote.
    assert.match(lines[3]!, /^4,6281200000003,'=Agus,"'=Agus|^4,6281200000003,'=Agus,"Halo =Agus/);
    assert.equal(lines.length, 5);

    const xlsx = path.join(bed.dir, 'preview.xlsx');
    assert.equal((await runCli(['broadcast', 'send', '--template', 'order_update', '--file', file, '--param', 'name=company', '--param', 'order_id=full_name', '--dry-run', '--out', xlsx], { env })).code, 0);
    const wb = XLSX.read(readFileSync(xlsx));
    const rows = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[wb.SheetNames[0]!]!, { header: 1 });
    assert.deepEqual(rows[0], ['row', 'phone_number', 'full_name', 'text', 'length']);
    assert.equal(rows[2]![3], 'Halo =1+2, pesanan Siti sudah dikirim.');
    assert.equal(rows[2]![1], '6281200000002', 'numbers stay text');
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);

    const noDry = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', '--out', csv], { env });
    assert.equal(noDry.code, 2);
    assert.match(noDry.stderr, /--out writes the preview of a dry run; add --dry-run/);
  } finally {
    await bed.close();
  }
});
