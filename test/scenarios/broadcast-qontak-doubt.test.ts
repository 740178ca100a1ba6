// broadcast send through Qontak when the answer says less than hoped: an answer without the id, a 429 or a lost answer
// after the server acted, a "please wait" while another runner sends the same key, a send left unknown and settled on
// the next run. One broadcast each time, the id reported is the server's, and nothing is ever sent twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 50, bulkCooldownMs: 0 }, async () => {
  // A list with an order_id column for the --list sends.
  const file = csv('orders.csv', 'phone_number,full_name,order_id\n081234560101,Budi,A-1\n081234560102,Sari,A-2\n');
  const r = await runCli(['contacts', 'upload', file, '--name', 'orders'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
});

const posts = bed.posts;
const withKey = (key: string) => [...bed.sandbox.state.broadcasts.values()].filter((b) => b.name.startsWith(`[${key}]`));
const list = () => [...bed.sandbox.state.contactLists.values()].find((l) => l.outcome === 'success' && l.variables.includes('order_id'))!;
const listSend = (key: string, extra: string[] = []) => ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--list', list().id, '--param', '1=full_name', '--param', '2=order_id', '--idempotency-key', key, ...extra];
const csv = bed.file;
const ledgerOf = (env: Record<string, string>) => readFileSync(path.join(env.WA_STATE_DIR!, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string; broadcastId?: string });

test('a bulk POST answered 201 {} after the server acted: one broadcast, the id reported is the server\'s, exit 0; the same command again sends nothing', async () => {
  const env = bed.env('qontak-hmac');
  bed.sandbox.state.qontakBulkAnswer = 'empty';
  try {
    const r = await runCli(listSend('empty-answer', ['--json']), { env });
    assert.equal(r.code, 0, r.stderr);
    const made = withKey('empty-answer');
    assert.equal(made.length, 1);
    const out = JSON.parse(r.stdout) as { id: string; status: string; createdAt: string };
    assert.equal(out.id, made[0]!.id, 'found on the account by its key');
    assert.equal(out.status, 'todo', "the server's execute_status, read back");
    const again = await runCli(listSend('empty-answer'), { env });
    assert.equal(again.code, 5);
    assert.match(again.stderr, /Already sent with idempotency key empty-answer/);
    assert.equal(withKey('empty-answer').length, 1);
  } finally {
    bed.sandbox.state.qontakBulkAnswer = 'documented';
  }
});

test('a bulk POST whose answer is lost after the server acted, or answered 429 or 502 after it: found by its key, one broadcast, exit 0', async () => {
  const env = bed.env('qontak-hmac');
  for (const [key, fault] of [
    ['lost-answer', { kind: 'drop-after' as const }],
    ['late-429', { kind: 'rate-limit' as const, form: 'body' as const, seconds: 1, after: true }],
    ['late-502', { kind: 'status' as const, status: 502, after: true }],
  ] as const) {
    const before = posts('/broadcasts/whatsapp').length;
    bed.sandbox.faults.add({ ...fault, match: { method: 'POST', path: /\/broadcasts\/whatsapp$/ } });
    const r = await runCli(listSend(key, ['--json']), { env });
    assert.equal(r.code, 0, `${key}: ${r.stderr}`);
    assert.equal(withKey(key).length, 1, key);
    assert.equal(JSON.parse(r.stdout).id, withKey(key)[0]!.id, key);
    assert.equal(posts('/broadcasts/whatsapp').length - before, 1, `${key}: posted once`);
  }
});

test('an outcome left unknown settles on the next run: found → that broadcast, exit 0, and later runs exit 5', async () => {
  const env = bed.env('qontak-hmac');
  // A server that lists a new broadcast only a while after making it.
  const broadcasts = bed.sandbox.state.broadcasts;
  const values = broadcasts.values.bind(broadcasts);
  let hidden = true;
  broadcasts.values = () => [...values()].filter((b) => !(hidden && b.name.startsWith('[settle-found]')))[Symbol.iterator]() as ReturnType<typeof values>;
  try {
    bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: /\/broadcasts\/whatsapp$/ } });
    const first = await runCli(listSend('settle-found'), { env });
    assert.equal(first.code, 6, first.stderr);
    assert.match(first.stderr, /The outcome is unknown, so key settle-found stays taken/);
    assert.match(first.stderr, /Run the same command again to settle it: it looks on the account for the broadcast named "\[settle-found\] …"/);
    assert.equal(ledgerOf(env).filter((l) => l.key === 'settle-found').at(-1)!.status, 'unknown');
    const early = await runCli(listSend('settle-found'), { env });
    assert.equal(early.code, 6, 'not on the account yet, within the settle window');
    assert.match(early.stderr, /no broadcast with this key is on the account yet/);
    hidden = false;
    const settled = await runCli(listSend('settle-found', ['--json']), { env });
    assert.equal(settled.code, 0, settled.stderr);
    const b = withKey('settle-found');
    assert.equal(b.length, 1);
    assert.deepEqual([JSON.parse(settled.stdout).id, JSON.parse(settled.stdout).settled], [b[0]!.id, true]);
    assert.match(settled.stderr, /did go out: broadcast .* is on the account\. Nothing was sent again\./);
    const later = await runCli(listSend('settle-found'), { env });
    assert.equal(later.code, 5);
    assert.match(later.stderr, new RegExp(`Already sent with idempotency key settle-found: .*broadcast ${b[0]!.id}`));
  } finally {
    broadcasts.values = values;
  }
});

test('an unknown outcome still absent after the settle window: said so (exit 5), released only with --release-unknown, then one broadcast', async () => {
  // Bearer auth: its requests carry no signed Date, so this test can move the clock.
  const env = bed.env('qontak-oauth');
  bed.sandbox.faults.add({ kind: 'drop-before', match: { method: 'POST', path: /\/broadcasts\/whatsapp$/ } });
  const first = await runCli(listSend('settle-absent'), { env });
  assert.equal(first.code, 6, first.stderr);
  assert.equal(withKey('settle-absent').length, 0, 'the server never got it');
  const later = () => Date.now() + 6 * 60_000;
  const refused = await runCli(listSend('settle-absent'), { env, init: { now: later } });
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /no broadcast with this key is on the account \d+ minute\(s\) later, so it most likely did not go out/);
  assert.match(refused.stderr, /run the same command with --release-unknown/);
  assert.equal(withKey('settle-absent').length, 0);
  const released = await runCli(listSend('settle-absent', ['--release-unknown', '--json']), { env, init: { now: later } });
  assert.equal(released.code, 0, released.stderr);
  assert.match(released.stderr, /key settle-absent released \(--release-unknown\)/);
  assert.equal(withKey('settle-absent').length, 1);
  assert.equal(JSON.parse(released.stdout).id, withKey('settle-absent')[0]!.id);
});

test('"please wait" means look again: two state folders sending the same --list broadcast 0–50 ms apart, 10 trials, one broadcast each time', async (t) => {
  bed.sandbox.setLimits({ bulkCooldownMs: 1500 });
  const stoppedBy: string[] = [];
  try {
    for (let trial = 0; trial < 10; trial++) {
      const key = `two-hosts-${trial}`;
      const a = bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, `host-a-${trial}`) });
      const b = bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, `host-b-${trial}`) });
      const gap = [0, 0, 5, 10, 0, 20, 30, 0, 40, 50][trial]!;
      const results = await Promise.all([runCli(listSend(key), { env: a }), new Promise((r) => setTimeout(r, gap)).then(() => runCli(listSend(key), { env: b }))]);
      const made = withKey(key);
      assert.equal(made.length, 1, `trial ${trial} (${gap} ms apart): ${made.length} broadcasts`);
      const codes = results.map((r) => r.code).sort();
      assert.deepEqual(codes, [0, 5], `trial ${trial}: ${results.map((r) => r.stderr).join(' | ')}`);
      const loser = results.find((r) => r.code === 5)!;
      // Found while Qontak asked to wait, before the POST, or by the guard: each names the other runner's broadcast.
      assert.match(loser.stderr, new RegExp(`broadcast ${made[0]!.id} "\\[${key}\\] `, "i"), "names the other runner's broadcast");
      stoppedBy.push(/While Qontak asked to wait/.test(loser.stderr) ? 'please-wait' : /while this run prepared/.test(loser.stderr) ? 'before-post' : 'guard');
      // The cooldown of this trial's broadcast is over before the next trial starts.
      await new Promise((r) => setTimeout(r, 1500));
    }
    // Which look stopped it depends on timing (qontak-sends.test drives the "please wait" one deterministically).
    t.diagnostic(`the second runner stopped by: ${stoppedBy.join(', ')}`);
  } finally {
    bed.sandbox.setLimits({ bulkCooldownMs: 0 });
  }
});

test('two state folders sending the same --file up to 1.5 s apart: the look right before the POST keeps it to one broadcast', async (t) => {
  bed.sandbox.setLimits({ bulkCooldownMs: 1500 });
  const stoppedBy: string[] = [];
  try {
    for (const [trial, gap] of [0, 300, 800, 1500].entries()) {
      const key = `two-files-${trial}`;
      const file = csv(`two-files-${trial}.csv`, `phone_number,full_name,order_id\n08123456080${trial},Budi,A-${trial}\n`);
      const send = (dir: string) => runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id', '--idempotency-key', key], { env: bed.env('qontak-hmac', { WA_STATE_DIR: path.join(bed.dir, `${dir}-${trial}`) }) });
      const results = await Promise.all([send('file-a'), new Promise((r) => setTimeout(r, gap)).then(() => send('file-b'))]);
      assert.equal(withKey(key).length, 1, `trial ${trial} (${gap} ms apart)`);
      assert.deepEqual(results.map((r) => r.code).sort(), [0, 5], results.map((r) => r.stderr).join(' | '));
      const loser = results.find((r) => r.code === 5)!;
      stoppedBy.push(/While Qontak asked to wait/.test(loser.stderr) ? 'please-wait' : /while this run prepared/.test(loser.stderr) ? 'before-post' : 'guard');
      await new Promise((r) => setTimeout(r, 1500));
    }
    t.diagnostic(`the second runner stopped by: ${stoppedBy.join(', ')}`);
  } finally {
    bed.sandbox.setLimits({ bulkCooldownMs: 0 });
  }
});

test('contact-list upload and template create answered 429 after the server acted: one list, one template, exit 0', async () => {
  const env = bed.env('qontak-hmac');
  bed.sandbox.faults.add({ kind: 'rate-limit', form: 'body', seconds: 1, after: true, match: { method: 'POST', path: '/contacts/contact_lists/async' } });
  const file = csv('late429.csv', 'phone_number,full_name\n081234560201,Budi\n');
  const up = await runCli(['contacts', 'upload', file, '--name', 'late-429-list', '--json'], { env });
  assert.equal(up.code, 0, up.stderr);
  assert.equal([...bed.sandbox.state.contactLists.values()].filter((l) => l.name === 'late-429-list').length, 1);
  assert.equal(posts('/contacts/contact_lists/async').filter((r) => r.body.includes('late-429-list')).length, 1, 'not uploaded again');

  bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: '/contacts/contact_lists/async' } });
  const lost = await runCli(['contacts', 'upload', file, '--name', 'lost-answer-list'], { env });
  assert.equal(lost.code, 0, lost.stderr);
  assert.equal([...bed.sandbox.state.contactLists.values()].filter((l) => l.name === 'lost-answer-list').length, 1);

  const tpl = (name: string, text: string) => JSON.stringify({ name, language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text, example: { body_text: [['Budi']] } }] });
  const template = csv('tpl.json', tpl('late_429_template', 'Halo {{1}}, pesanan Anda sudah dikirim.'));
  bed.sandbox.faults.add({ kind: 'rate-limit', form: 'body', seconds: 1, after: true, match: { method: 'POST', path: '/templates/whatsapp' } });
  const made = await runCli(['templates', 'create', template, '--json'], { env });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(bed.sandbox.state.templates.filter((t) => t.name === 'late_429_template').length, 1);
  assert.doesNotMatch(made.stderr, /already exists/);

  const t502 = csv('tpl502.json', tpl('late_502_template', 'Halo {{1}}, tagihan Anda sudah terbit.'));
  bed.sandbox.faults.add({ kind: 'status', status: 502, after: true, match: { method: 'POST', path: '/templates/whatsapp' } });
  assert.equal((await runCli(['templates', 'create', t502], { env })).code, 0);
  assert.equal(bed.sandbox.state.templates.filter((t) => t.name === 'late_502_template').length, 1);
});

test('a media file upload that lost its answer is simply sent again: a second stored file sends nothing', async () => {
  const env = bed.env('qontak-hmac');
  const image = csv('promo.png', '\u0089PNG\r\n');
  bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: '/file_uploader' } });
  const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_image', '--to', '0812-3456-0301', '--to-name', 'Budi', '--param', '1=full_name', '--media', image], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(posts('/file_uploader').length >= 2, true, 'uploaded again');
  assert.equal(bed.sandbox.state.directSendsByRecipient.get('6281234560301'), 1);
});

test('a direct send through a wa_cloud integration works, says which language.code it sends, and reports the server\'s broadcast', async () => {
  const env = bed.env('qontak-hmac');
  const cloud = bed.sandbox.state.integrations.find((i) => i.target_channel === 'wa_cloud')!;
  cloud.is_active = true;
  try {
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'en', '--to', '0812-3456-0401', '--to-name', 'Budi', '--param', '1=full_name', '--channel', cloud.id, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(posts('/broadcasts/whatsapp/direct').at(-1)!.body);
    assert.equal(body.channel_integration_id, cloud.id);
    assert.deepEqual(body.language, { code: 'en' });
    assert.match(r.stderr, /language\.code en: the template's language, as Qontak's direct-send schema describes it \("The same as language from template"\)/);
    const out = JSON.parse(r.stdout) as { id: string; name: string; status: string; createdAt: string };
    const held = bed.sandbox.state.broadcasts.get(out.id)!;
    assert.equal(out.name, held.name, "the server's name, read back");
    assert.equal(Date.parse(out.createdAt), Math.floor(held.createdAtMs / 1000) * 1000, "the server's created_at, to the second");
  } finally {
    cloud.is_active = false;
  }
});

test('a direct send whose answer is lost is unknown (exit 6); no name can find it, so a re-run refuses until --release-unknown', async () => {
  const env = bed.env('qontak-hmac');
  bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: '/broadcasts/whatsapp/direct' } });
  const send = (extra: string[] = []) => runCli(['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--to', '0812-3456-0501', '--to-name', 'Sari', '--param', '1=full_name', ...extra], { env });
  const first = await send();
  assert.equal(first.code, 6, first.stderr);
  assert.match(first.stderr, /A direct send carries no name to find it by/);
  const again = await send();
  assert.equal(again.code, 5);
  assert.match(again.stderr, /a direct send carries no name, so the account cannot show whether it went out/);
  assert.equal(bed.sandbox.state.directSendsByRecipient.get('6281234560501'), 1);
  const released = await send(['--release-unknown']);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(bed.sandbox.state.directSendsByRecipient.get('6281234560501'), 2, 'sent again only when asked to');
});

test('a spreadsheet the server reads from column E: the send stops before the broadcast, naming the columns it lost', async () => {
  const env = bed.env('qontak-hmac');
  bed.sandbox.state.qontakUploadLayout = 'column-e';
  try {
    const file = csv('layout.csv', 'phone_number,full_name,order_id\n081234560601,Budi,A-1\n');
    const before = posts('/broadcasts/whatsapp').length;
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /holds the variables \(none\), not order_id that the send maps\. Qontak's FAQ reads variables from column E, its API notes by header/);
    assert.equal(posts('/broadcasts/whatsapp').length, before, 'no broadcast');
  } finally {
    bed.sandbox.state.qontakUploadLayout = 'header';
  }
});

test('a schedule the server did not keep: the broadcast is read back at once and named, with how to stop it; exit 1', async () => {
  const env = bed.env('qontak-hmac');
  const broadcasts = bed.sandbox.state.broadcasts;
  const set = broadcasts.set.bind(broadcasts);
  broadcasts.set = (id, b) => set(id, { ...b, executeType: 'immediately', startAtMs: b.createdAtMs });
  try {
    const r = await runCli(listSend('sched-lost', ['--schedule', '2030-01-02T09:00:00+07:00']), { env });
    assert.equal(r.code, 1);
    const id = withKey('sched-lost')[0]!.id;
    assert.equal(r.stdout.trim(), id);
    assert.match(r.stderr, new RegExp(`Broadcast ${id} was asked for 2030-01-02T02:00:00.000Z but the server holds execute_type immediately, send_at .*: the schedule was not kept\\. If it must not go out now, stop broadcast ${id} in the Qontak web app\\.`));
    const i = bed.sandbox.state.requests.findIndex((q) => q.method === 'POST' && q.path === '/broadcasts/whatsapp' && q.body.includes('sched-lost'));
    assert.deepEqual([bed.sandbox.state.requests[i + 1]!.method, bed.sandbox.state.requests[i + 1]!.path], ['GET', `/broadcasts/${id}/whatsapp`], 'read back right after the POST');
  } finally {
    broadcasts.set = set;
  }
});

test('templates show: a footer the API gives as an object is shown as its text', async () => {
  const r = await runCli(['templates', 'show', 'promo_nov', '--language', 'id'], { env: bed.env('qontak-hmac') });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}Toko Maju Jaya$/m);
  assert.doesNotMatch(r.stdout, /\[object Object\]/);
});

test('a broadcast the account lists without its key: sent once, with a warning that another machine could not find it', async () => {
  const env = bed.env('qontak-hmac');
  const broadcasts = bed.sandbox.state.broadcasts;
  const set = broadcasts.set.bind(broadcasts);
  // A server that stores names its own way (the key cut off).
  broadcasts.set = (id, b) => set(id, { ...b, name: b.name.replace(/^\[[^\]]+\] /, '') });
  try {
    const r = await runCli(listSend('name-lost', ['--json']), { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: broadcast ${JSON.parse(r.stdout).id} cannot be found on the account by its key name-lost .*a run on another machine or with a fresh WA_STATE_DIR would not see this send`));
  } finally {
    broadcasts.set = set;
  }
});

test('a bulk send with a URL button whose first messages all fail alike: exit 1 naming the broadcast and the undocumented bulk shape', async () => {
  const env = bed.env('qontak-hmac');
  const file = csv('track-fail.csv', 'phone_number,full_name,resi\n081234560701,Budi,JNE1\n081234560702,Sari,JNE2\n');
  const broadcasts = bed.sandbox.state.broadcasts;
  const set = broadcasts.set.bind(broadcasts);
  // An account that does not take buttons on a bulk send: every entry fails after the broadcast was accepted.
  broadcasts.set = (id, b) => set(id, { ...b, failAll: 'buttons: Format mismatch, expected a url parameter for button 0' });
  try {
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'track_order', '--file', file, '--param', '1=full_name', '--button', '0=resi'], { env });
    assert.equal(r.code, 1, r.stderr);
    const id = r.stdout.trim();
    assert.match(r.stderr, new RegExp(`Broadcast ${id}: its first 2 message\\(s\\) failed alike \\("buttons: Format mismatch, expected a url parameter for button 0"\\)\\. Qontak documents media headers and URL buttons for direct sends only`));
  } finally {
    broadcasts.set = set;
  }
  const ok = await runCli(['-y', 'broadcast', 'send', '--template', 'track_order', '--file', file, '--param', '1=full_name', '--button', '0=resi', '--idempotency-key', 'track-ok'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /Checked: the first 2 message\(s\) of broadcast .* went through\./);
});
