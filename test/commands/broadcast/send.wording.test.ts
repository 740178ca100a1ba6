// What a send says about itself: quiet hours in a dry run of a template they do not stop, recipients whose outcome
// was checked with the server (never called "doubtful"), and a --param naming a column that is not there (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBed } from '../../helpers/sandbox.js';
import { onlyRun, sendArgs, sheet, signalAt } from '../../helpers/fanout.js';

test('a UTILITY dry run inside quiet hours says it is sent in them; a MARKETING one that it waits', async () => {
  const today = new Date().toISOString().slice(0, 10);
  // 22:30 in Jakarta: inside the window. The sandbox keeps the same clock, as HMAC signatures need.
  const now = () => Date.parse(`${today}T15:30:00Z`);
  const bed = await testBed({ now });
  try {
    mkdirSync(path.join(bed.dir, 'config'), { recursive: true });
    writeFileSync(path.join(bed.dir, 'config', 'config.json'), JSON.stringify({ version: 1, profiles: { default: { quietHours: '21:00-08:00', timeZone: 'Asia/Jakarta' } } }));
    const file = path.join(bed.dir, 'orders.csv');
    writeFileSync(file, 'phone_number,full_name,order_id\r\n0812-3456-7890,Budi,INV-1\r\n');
    const dry = (template: string) => runCli(['broadcast', 'send', '--template', template, '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id', '--dry-run'], { env: bed.env('qontak-hmac'), init: { now } });
    const utility = await dry('order_update');
    assert.equal(utility.code, 0, utility.stderr);
    assert.match(utility.stdout, /Quiet hours: {2}21:00-08:00 Asia\/Jakarta, now until \d{4}-\d\d-\d\d 08:00 Asia\/Jakarta; a UTILITY template is sent in them/);
    assert.doesNotMatch(utility.stdout, /not sent before then/);
    const marketing = await dry('promo_nov');
    assert.equal(marketing.code, 0, marketing.stderr);
    assert.match(marketing.stdout, /Quiet hours: {2}21:00-08:00 Asia\/Jakarta, now, until .*: not sent before then \(--ignore-quiet-hours overrides\)/);
  } finally {
    await bed.close();
  }
});

test('a run continued after a crash reports the recipients it checked with the server by what they were, not as "doubtful"', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    const args = sendArgs(sheet(bed, 40, '0821'), ['--rate', '20/s', '--concurrency', '4']);
    const killed = await signalAt(bed, args, env, 5, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const r = await runCli(['-y', 'broadcast', 'send', '--resume', path.basename(onlyRun(bed)), '--rate', '200/s'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /doubtful/);
    assert.match(r.stderr, /Asked the server about \d+ recipient\(s\) whose outcome the journal did not settle: \d+ had been sent, the others had not\./);
  } finally {
    await bed.close();
  }
});

test('a --param naming a column the sheet does not have is a usage error (exit 2), on Qontak and Konekwa alike', async () => {
  const bed = await testBed();
  try {
    const q = path.join(bed.dir, 'q.csv');
    writeFileSync(q, 'phone_number,full_name,order_id\r\n0812-3456-7890,Budi,INV-1\r\n');
    const qontak = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', q, '--param', '1=full_name', '--param', '2=order_idd'], { env: bed.env('qontak-hmac') });
    assert.equal(qontak.code, 2, qontak.stderr);
    assert.match(qontak.stderr, /--param 2=order_idd: no such column; the columns are full_name, phone_number, order_id\./);
    const konekwa = await runCli(sendArgs(sheet(bed, 2), ['--param', 'company=companyy']), { env: bed.env('konekwa') });
    assert.equal(konekwa.code, 2, konekwa.stderr);
  } finally {
    await bed.close();
  }
});
