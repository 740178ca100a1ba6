// A Konekwa send from a spreadsheet writes its plan while the sheet is checked. Whatever stops it before the run
// starts (a refusal, a "no", a key already sent) leaves no staged file behind; a run takes the stage whole as its plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { exactlyOnce, onlyRun, sendArgs, sheet, signalAt } from '../helpers/fanout.js';
import { readHeaderAt, readPlan, type PlannedRecipient } from '../../src/core/runs/plan.js';

const staged = (bed: TestBed): string[] => {
  const dir = path.join(bed.dir, 'state', 'staged');
  return existsSync(dir) ? readdirSync(dir) : [];
};
const posts = (bed: TestBed): number => bed.sandbox.state.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/v1/messages')).length;
const envOf = (bed: TestBed) => bed.env('konekwa');

test('a send refused for an invalid row (no --skip-invalid) leaves no staged plan and sends nothing', async () => {
  const bed = await testBed();
  try {
    const file = path.join(bed.dir, 'with-bad-row.csv');
    writeFileSync(file, 'phone_number,full_name,company\n081400000001,Ani,Acme\nnot-a-number,Budi,Acme\n081400000003,Citra,Acme\n');
    const r = await runCli(sendArgs(file), { env: envOf(bed) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--skip-invalid/);
    assert.ok(existsSync(path.join(bed.dir, 'state', 'staged')), 'the plan was being staged');
    assert.deepEqual(staged(bed), []);
    assert.equal(posts(bed), 0);
  } finally {
    await bed.close();
  }
});

test('a send whose --param names a missing column leaves no staged plan and sends nothing', async () => {
  const bed = await testBed();
  try {
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', sheet(bed, 5), '--param', 'name=nama_lengkap'], { env: envOf(bed) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /nama_lengkap/);
    assert.ok(existsSync(path.join(bed.dir, 'state', 'staged')), 'the plan was being staged');
    assert.deepEqual(staged(bed), []);
    assert.equal(posts(bed), 0);
  } finally {
    await bed.close();
  }
});

test('a send declined at the confirmation leaves no staged plan and sends nothing', async () => {
  const bed = await testBed();
  try {
    const stdin = new PassThrough();
    const stderr = new PassThrough();
    let seen = '';
    let answered = false;
    stderr.on('data', (d: Buffer) => {
      seen += d.toString('utf8');
      if (!answered && seen.includes('Send to 5 recipient(s)')) {
        answered = true;
        // Answered on the next turn, once the prompt has attached to the input.
        setImmediate(() => stdin.write('n\r'));
      }
    });
    const args = sendArgs(sheet(bed, 5)).filter((a) => a !== '-y');
    const r = await runCli(args, { env: envOf(bed), tty: true, init: { stdin, stderr } });
    assert.ok(answered, `the confirmation was asked: ${seen}`);
    assert.equal(r.code, 1, seen);
    assert.match(seen, /Not sent\./);
    assert.deepEqual(staged(bed), []);
    assert.ok(!existsSync(path.join(bed.dir, 'state', 'runs')) || readdirSync(path.join(bed.dir, 'state', 'runs')).length === 0, 'no run was made');
    assert.equal(posts(bed), 0);
  } finally {
    await bed.close();
  }
});

test('a sent run keeps every recipient in its plan and no stage; the same send again exits 5 and leaves none either', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 120;
    const file = sheet(bed, n);
    const args = sendArgs(file, ['--rate', '500/s', '--concurrency', '4', '--channel', 'ses_main01']);
    const first = await runCli(args, { env: envOf(bed) });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(staged(bed), [], 'the stage became the plan');

    const dir = onlyRun(bed);
    assert.equal(statSync(path.join(dir, 'plan.jsonl')).mode & 0o777, 0o600, 'the plan holds phone numbers: owner only');
    const header = await readHeaderAt(dir);
    assert.equal(header.total, n);
    const plan: PlannedRecipient[] = [];
    for await (const r of readPlan(dir)) plan.push(r);
    assert.deepEqual(plan.map((r) => r.i), [...Array(n).keys()]);
    assert.deepEqual(plan.map((r) => r.phone), Array.from({ length: n }, (_, i) => `62814${String(i).padStart(8, '0')}`));
    assert.deepEqual(plan.map((r) => r.row), Array.from({ length: n }, (_, i) => i + 2));
    assert.equal(plan[7]!.text, 'Halo Pelanggan 7, selamat datang di Acme 1! Promo November untuk Anda.');
    assert.equal(bed.sandbox.state.sendsByRecipient.size, n);

    const again = await runCli(args, { env: envOf(bed) });
    assert.equal(again.code, 5, again.stderr);
    assert.deepEqual(staged(bed), [], 'a send refused as already sent leaves no stage');
    assert.equal(bed.sandbox.state.sendsByRecipient.size, n);
    assert.equal(readdirSync(path.join(bed.dir, 'state', 'runs')).length, 1);
  } finally {
    await bed.close();
  }
});

test('a send killed mid-run and run again continues its run; the second stage is not kept', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 150;
    const env = envOf(bed);
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '2', '--settle', '4s']);
    const killed = await signalAt(bed, args, env, 30, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', 'killed while sending');
    // The killed send had already taken its stage as the run's plan.
    assert.deepEqual(staged(bed), []);
    const r = await runCli([...args, '--rate', '500/s'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /unfinished run [\w-]+ \([^)]*\): continuing it/);
    assert.deepEqual(staged(bed), [], 'the stage of the continuing send is removed');
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});
