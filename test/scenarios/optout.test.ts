// Opt-outs over real HTTP: numbers on the list are never sent to (counted by the sandbox), dry runs and sends report
// them with their rows, and a STOP reply received by a Konekwa session is synced into the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { crlfSheet as sheet, sendArgs } from '../helpers/fanout.js';

const send = (file: string, extra: string[] = []) => sendArgs(file, ['--rate', '500/s', ...extra]);

test('opted-out numbers are skipped by the dry run and the send, reported with their rows, and never reach the gateway', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa');
    const file = sheet(bed, 10);
    // Written two ways: the list normalises them to the numbers of rows 4 and 8 (rows count the header as 1).
    const add = await runCli(['optout', 'add', '0812-0000-0002', '+62 812 0000 0006', '--reason', 'asked by phone'], { env });
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, '6281200000002\n6281200000006\n');
    const again = await runCli(['optout', 'add', '081200000002'], { env });
    assert.match(again.stderr, /0 added, 1 already on the list/);
    const stored = path.join(bed.dir, 'state', 'optout', 'default.json');
    assert.equal(statSync(stored).mode & 0o777, 0o600);

    const dry = await runCli([...send(file), '--dry-run', '--json'], { env });
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout);
    assert.equal(plan.recipients, 8);
    assert.deepEqual(plan.optedOut, { count: 2, entries: [{ row: 4, phone: '6281200000002' }, { row: 8, phone: '6281200000006' }] });
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0, 'a dry run sends nothing');

    const r = await runCli(send(file), { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /skipped row 4 \(6281200000002\): opted out/);
    assert.match(r.stderr, /Opted out: {4}2 left out \(rows 4, 8\)/);
    const sends = bed.sandbox.state.sendsByRecipient;
    assert.equal(sends.size, 8);
    assert.equal(sends.get('6281200000002'), undefined);
    assert.equal(sends.get('6281200000006'), undefined);
    assert.deepEqual([...sends.values()].filter((c) => c !== 1), []);

    // Removed from the list, a number is reached again by a new send; one not on it is exit 3.
    const rm = await runCli(['optout', 'remove', '081200000002'], { env });
    assert.equal(rm.code, 0, rm.stderr);
    const missing = await runCli(['optout', 'remove', '081299999999'], { env });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /Not on the opt-out list: 6281299999999/);
  } finally {
    await bed.close();
  }
});

test('a --to send to an opted-out number is refused with exit 1 and nothing is sent', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('konekwa');
    assert.equal((await runCli(['optout', 'add', '081234567890'], { env })).code, 0);
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--to', '0812-3456-7890', '--param', 'name=:Budi', '--param', 'order_id=:A1'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No recipient is left to send to \(1 opted out\)/);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);
  } finally {
    await bed.close();
  }
});

test('a Qontak list holding an opted-out number is refused (a list is sent whole), naming the row', async () => {
  const bed = await testBed({ listProcessingMs: 20 });
  try {
    const env = bed.env('qontak-hmac');
    const file = path.join(bed.dir, 'list.csv');
    writeFileSync(file, 'phone_number,full_name,code\r\n081200000001,Budi,A1\r\n081200000002,Siti,B2\r\n');
    const up = await runCli(['contacts', 'upload', file, '--name', 'nov', '--json'], { env });
    assert.equal(up.code, 0, up.stderr);
    const listId = (JSON.parse(up.stdout) as { id: string }[])[0]?.id;
    assert.ok(listId, up.stdout);
    assert.equal((await runCli(['optout', 'add', '081200000002'], { env })).code, 0);
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--list', listId, '--param', '1=full_name', '--param', '2=code'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /row 3 \(6281200000002\): opted out/);
    assert.match(r.stderr, /holds 1 opted-out number\(s\), and a list is sent whole/);
    assert.equal(bed.sandbox.state.broadcasts.size, 0);
  } finally {
    await bed.close();
  }
});

test('a Qontak spreadsheet send uploads a list without the opted-out rows', async () => {
  const bed = await testBed({ listProcessingMs: 20 });
  try {
    const env = bed.env('qontak-hmac');
    const file = path.join(bed.dir, 'sheet.csv');
    writeFileSync(file, 'phone_number,full_name,code\r\n081200000001,Budi,A1\r\n081200000002,Siti,B2\r\n081200000003,Agus,C3\r\n');
    assert.equal((await runCli(['optout', 'add', '081200000002'], { env })).code, 0);
    const r = await runCli(['-y', '--json', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=code'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).recipients, 2);
    const lists = [...bed.sandbox.state.contactLists.values()];
    assert.equal(lists.length, 1);
    assert.deepEqual(lists[0]!.contacts.map((c) => c.phone), ['6281200000001', '6281200000003']);
  } finally {
    await bed.close();
  }
});

test('optout sync adds senders whose whole reply is a stop word, remembers where it got to, and the next send skips them', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa');
    const t0 = Date.now() - 60_000;
    const st = bed.sandbox.state;
    // A gateway whose listing names a received message's author (`sender`; no document shows the field).
    st.konekwaListsSender = true;
    st.receiveKonekwa({ from: '6281200000001', content: ' stop ', atMs: t0 });
    st.receiveKonekwa({ from: '6281200000003', content: 'Berhenti', atMs: t0 + 1000 });
    st.receiveKonekwa({ from: '6281200000004', content: 'please stop sending', atMs: t0 + 2000 });
    st.receiveKonekwa({ from: '120363025@g.us', content: 'STOP', atMs: t0 + 3000 });
    // The account's own session number (ses_main01) writing STOP, as a test from the office phone would.
    st.receiveKonekwa({ from: '6281100000009', content: 'STOP', atMs: t0 + 3000 });
    const first = await runCli(['optout', 'sync', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    const j = JSON.parse(first.stdout);
    assert.deepEqual(j.added.map((a: { phone: string }) => a.phone), ['6281200000001', '6281200000003']);
    assert.equal(j.ownNumbers, 1, "the session's own number is never opted out");
    assert.equal(j.read, 5);
    assert.equal(Date.parse(j.since), Math.floor((t0 + 3000) / 1000) * 1000);
    assert.match(j.since, /T\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, 'ISO 8601 with the offset, as every JSON time');

    // The next sync reads only what is new (a reply in the same second as the last one included).
    st.receiveKonekwa({ from: '6281200000005', content: 'UNSUBSCRIBE', atMs: t0 + 3000 });
    const second = await runCli(['optout', 'sync', '--json'], { env });
    assert.equal(second.code, 0, second.stderr);
    const k = JSON.parse(second.stdout);
    assert.equal(k.read, 1);
    assert.deepEqual(k.added.map((a: { phone: string }) => a.phone), ['6281200000005']);

    const list = JSON.parse((await runCli(['optout', 'list', '--json'], { env })).stdout);
    assert.deepEqual(list.entries.map((e: { phone: string; source: string }) => `${e.phone} ${e.source}`), ['6281200000001 sync', '6281200000003 sync', '6281200000005 sync']);
    assert.match(list.entries[0].reason, /replied "stop"/);

    const r = await runCli(send(sheet(bed, 6), ['--json']), { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...st.sendsByRecipient.keys()].sort(), ['6281200000000', '6281200000002', '6281200000004']);
  } finally {
    await bed.close();
  }
});

test('optout sync where the listing names no sender (as documented): it says so, opts out nobody (not the session\'s own number either) and exits 1', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('konekwa');
    bed.sandbox.state.receiveKonekwa({ from: '6281200000001', content: 'STOP' });
    bed.sandbox.state.receiveKonekwa({ from: '6281200000002', content: 'terima kasih' });
    const r = await runCli(['optout', 'sync'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 stop message\(s\) carry no sender wa-cli can read .*nobody was opted out for them: msg_\w+ at .* "STOP"/);
    assert.match(r.stderr, /wa-cli optout add PHONE/);
    const list = JSON.parse((await runCli(['optout', 'list', '--json'], { env })).stdout);
    assert.deepEqual(list.entries, [], 'neither the customer nor the session number 6281100000009 (in `recipient`) is opted out');
    // The cursor moved on: the same message is not reported twice.
    const again = await runCli(['optout', 'sync', '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).read, 0);
  } finally {
    await bed.close();
  }
});

test('stop words come from the profile; optout sync on Qontak is exit 2', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('konekwa');
    const cfgDir = path.join(bed.dir, 'config');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(path.join(cfgDir, 'config.json'), JSON.stringify({ version: 1, profiles: { default: { stopWords: ['keluar'] } } }));
    bed.sandbox.state.konekwaListsSender = true;
    bed.sandbox.state.receiveKonekwa({ from: '6281200000001', content: 'STOP' });
    bed.sandbox.state.receiveKonekwa({ from: '6281200000002', content: 'KELUAR' });
    const r = await runCli(['optout', 'sync', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).added.map((a: { phone: string }) => a.phone), ['6281200000002']);
    const q = await runCli(['optout', 'sync'], { env: bed.env('qontak-hmac') });
    assert.equal(q.code, 2);
    assert.match(q.stderr, /Qontak has no listing of received messages/);
  } finally {
    await bed.close();
  }
});

test('optout export writes a formula-safe file that import reads back; a bad number is refused naming its row and column', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('konekwa');
    const src = path.join(bed.dir, 'unsub.csv');
    writeFileSync(src, 'Name,Phone_Number,Reason\r\nBudi,0812-3456-7890,=HYPERLINK("x")\r\nSiti,+62 813 1111 2222,\r\n');
    const imp = await runCli(['optout', 'import', src, '--reason', 'CRM'], { env });
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stderr, /2 number\(s\) read, 2 added/);
    const out = path.join(bed.dir, 'out.csv');
    assert.equal((await runCli(['optout', 'export', '--out', out], { env })).code, 0);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^\uFEFFphone_number,opted_out_at,reason,source\r\n6281234567890,[^,]+,"'=HYPERLINK\(""x""\)",import\r\n6281311112222,[^,]+,CRM,import\r\n$/);
    // Into another profile: the same numbers come back.
    const other = { ...env, WA_PROFILE: 'other' };
    assert.equal((await runCli(['optout', 'import', out], { env: other })).code, 0);
    assert.deepEqual(JSON.parse((await runCli(['optout', 'list', '--json'], { env: other })).stdout).entries.map((e: { phone: string }) => e.phone), ['6281234567890', '6281311112222']);

    const bad = path.join(bed.dir, 'bad.csv');
    writeFileSync(bad, 'phone_number\r\n081234567890\r\n0812-3456-789O\r\n');
    const r = await runCli(['optout', 'import', bad], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.csv row 3 column A \(phone_number\): "0812-3456-789O" is not a phone number: it contains "O"/);
  } finally {
    await bed.close();
  }
});
