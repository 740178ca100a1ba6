// The Konekwa fan-out under fire: killed with SIGKILL half-way, faults injected, overlapping runs. The sandbox counts
// what it accepted per recipient; every recipient must have been sent exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { bin, exactlyOnce, onlyRun, sendArgs, sheet, signalAt } from '../helpers/fanout.js';

const runIdOf = (bed: TestBed): string => path.basename(onlyRun(bed));

/** Kills a send once `after` messages were accepted, unless it ended by itself first. */
async function killOrExit(bed: TestBed, args: string[], env: Record<string, string>, after: number): Promise<void> {
  await signalAt(bed, args, env, after, 'SIGKILL');
}

async function killMidway(bed: TestBed, args: string[], env: Record<string, string>, after: number): Promise<void> {
  const r = await signalAt(bed, args, env, after, 'SIGKILL');
  assert.equal(r.signal, 'SIGKILL', 'killed while sending');
}

test('a fan-out killed with SIGKILL and resumed sends every recipient exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 300;
    const env = bed.env('konekwa');
    await killMidway(bed, sendArgs(sheet(bed, n), ['--rate', '200/s', '--concurrency', '4', '--settle', '4s']), env, 100);
    const before = bed.sandbox.state.sendsByRecipient.size;
    assert.ok(before >= 100 && before < n, `stopped midway (${before})`);
    const r = await runCli(['-y', 'broadcast', 'send', '--resume', runIdOf(bed), '--rate', '200/s', '--settle', '4s', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.sent, n);
    exactlyOnce(bed, n);
    // Done means done: running the same send again is refused.
    const again = await runCli(sendArgs(sheet(bed, n)), { env });
    assert.equal(again.code, 5);
  } finally {
    await bed.close();
  }
});

test('Ctrl-C stops a fan-out cleanly (exit 130, the resume command named); the resume sends the rest exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 150;
    const env = { PATH: process.env.PATH ?? '', ...bed.env('konekwa') };
    const child = spawn(process.execPath, [bin, ...sendArgs(sheet(bed, n), ['--rate', '100/s'])], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 400 && bed.sandbox.state.konekwa.order.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /Interrupted\. Run the same command again, or `wa-cli broadcast send --resume [\w-]+`, to continue/);
    const sentBefore = bed.sandbox.state.sendsByRecipient.size;
    assert.ok(sentBefore < n);
    const r = await runCli(['-y', 'broadcast', 'send', '--resume', runIdOf(bed), '--rate', '200/s', '--settle', '4s'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Resuming run [\\w-]+: ${sentBefore} sent, 0 failed, 0 unknown, ${n - sentBefore} not sent, of ${n}`));
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});

test('with dropped connections, 5xx and 429 injected, killed, and the same command run again until done: still exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 200;
    const post = { method: 'POST', path: '/v1/messages' };
    bed.sandbox.faults.add({ kind: 'drop-after', match: post, probability: 0.05 });
    bed.sandbox.faults.add({ kind: 'status', status: 503, match: post, times: 2 });
    bed.sandbox.faults.add({ kind: 'rate-limit', form: 'retry-after', seconds: 1, match: post, times: 3 });
    bed.sandbox.faults.add({ kind: 'drop-before', match: post, probability: 0.03 });
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, n), ['--rate', '200/s', '--concurrency', '4', '--settle', '4s']);
    // A 503 stops a run (the next sends would meet the same server), so the first run ends early or is killed.
    await killOrExit(bed, args, env, 80);
    const codes: (number | null)[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const r = await runCli([...args, '--json'], { env });
      codes.push(r.code);
      if (r.code === 0) break;
      assert.equal(r.code, 1, r.stderr);
    }
    assert.equal(codes.at(-1), 0, `the re-runs ended with ${codes.join(', ')}`);
    exactlyOnce(bed, n);
    const kinds = new Set(bed.sandbox.faults.fired.map((f) => f.kind));
    for (const k of ['drop-after', 'status', 'rate-limit']) assert.ok(kinds.has(k as never), `${k} was injected`);
  } finally {
    await bed.close();
  }
});

test('two overlapping runs with one idempotency key: one sends, the other exits 5; a rerun after success exits 5', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 40;
    const file = sheet(bed, n);
    const env = { PATH: process.env.PATH ?? '', ...bed.env('konekwa') };
    const args = sendArgs(file, ['--idempotency-key', 'nov-promo-1', '--rate', '20/s']);
    const start = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d));
        c.on('exit', (code) => resolve({ code, stderr }));
      });
    const [a, b] = await Promise.all([start(), start()]);
    const codes = [a.code, b.code].sort();
    assert.deepEqual(codes, [0, 5], `${a.stderr}\n${b.stderr}`);
    const refused = a.code === 5 ? a : b;
    assert.match(refused.stderr, /nov-promo-1/);
    exactlyOnce(bed, n);
    const rerun = await runCli(args, { env });
    assert.equal(rerun.code, 5);
    assert.match(rerun.stderr, /Already sent with idempotency key nov-promo-1: run [\w-]+ started .*promo_nov to 40 recipient\(s\): 40 sent/);
    assert.match(rerun.stderr, /A new --idempotency-key sends to every recipient again/);
  } finally {
    await bed.close();
  }
});

test('a text fan-out sends the session, the recipient and the rendered text as content, and no template id or placeholder values', async () => {
  const bed = await testBed();
  try {
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--to', '0812-3456-7890', '--to-name', 'Budi', '--param', 'name=full_name', '--param', 'company=:Toko Maju'], {
      env: bed.env('konekwa'),
    });
    assert.equal(r.code, 0, r.stderr);
    const sent = bed.sandbox.state.requests.filter((q) => q.method === 'POST' && q.path === '/v1/messages');
    assert.equal(sent.length, 1);
    assert.deepEqual(JSON.parse(sent[0]!.body), {
      session_id: 'ses_main01',
      recipient: '6281234567890',
      message_type: 'text',
      content: 'Halo Budi, selamat datang di Toko Maju! Promo November untuk Anda.',
    });
  } finally {
    await bed.close();
  }
});

test('a Konekwa run\'s log and status come from its journal with live statuses, across pages', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 2000, konekwaBurst: 2000 });
  try {
    const n = 1200;
    const env = bed.env('konekwa');
    const sent = await runCli([...sendArgs(sheet(bed, n), ['--rate', '1000/s', '--concurrency', '8']), '--json'], { env });
    assert.equal(sent.code, 0, sent.stderr);
    const runId = JSON.parse(sent.stdout).id as string;
    // The queue lists a message its lag after the 202; the sandbox moves QUEUED → SENT after 300 ms.
    await new Promise((r) => setTimeout(r, bed.sandbox.limits.konekwaListLagMs + 400));
    const tail = await runCli(['--json', 'logs', 'tail', runId], { env });
    const events = tail.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.length, n);
    assert.equal(new Set(events.map((e) => e.phone)).size, n);
    assert.ok(events.every((e) => e.state === 'sent' && e.status === 'sent' && e.rawStatus === 'SENT' && e.messageId?.startsWith('msg_') && e.createdAt));
    const status = await runCli(['--json', 'broadcast', 'status', runId], { env });
    assert.equal(status.code, 0, status.stderr);
    const st = JSON.parse(status.stdout);
    assert.deepEqual([st.status, st.sent, st.failed, st.unknown, st.notSent, st.total], ['done', n, 0, 0, 0, n]);
    assert.deepEqual(st.onServer, { queued: 0, sent: n, unknown: 0, statuses: [{ status: 'SENT', count: n }], notListed: 0 });
    const list = await runCli(['broadcast', 'list'], { env });
    assert.match(list.stdout, new RegExp(`^${runId}\\t`, 'm'));
  } finally {
    await bed.close();
  }
});

test('every send refused alike with words about the recipient (a gateway that answers "Field \'recipient\' is required" to all): the run stops after 5, the rest are sent once it is fixed', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 30;
    const env = bed.env('konekwa');
    // The error example of konekwa-api.txt, answered to every send.
    const body = { error: { code: 'INVALID_REQUEST', message: 'The request body is missing required fields', details: "Field 'recipient' is required" } };
    bed.sandbox.faults.add({ kind: 'status', status: 400, body, match: { method: 'POST', path: '/v1/messages' }, times: Infinity });
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '2']);
    const first = await runCli([...args, '--json'], { env });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /Stopped: 5 recipients in a row were refused with the same answer and none was sent between, .*: Konekwa POST \/v1\/messages was refused \(400\): "INVALID_REQUEST: The request body is missing required fields: Field 'recipient' is required"/);
    const out = JSON.parse(first.stdout) as { failed: number; notSent: number; sent: number };
    // Those in flight when the fifth came back are refused too: at most one more per extra concurrent send.
    assert.ok(out.failed >= 5 && out.failed <= 6, `failed ${out.failed}`);
    assert.equal(out.sent, 0);
    assert.equal(out.notSent, n - out.failed, 'the rest are left to send, not marked failed');

    bed.sandbox.faults.clear();
    const again = await runCli(args, { env });
    // The refused stay refused (exit 1); everyone else gets the message once.
    assert.equal(again.code, 1, again.stderr);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, n - out.failed);
    assert.deepEqual([...bed.sandbox.state.sendsByRecipient.values()].filter((c) => c !== 1), []);
  } finally {
    await bed.close();
  }
});
