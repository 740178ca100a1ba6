// Off a terminal, long work prints its progress to stderr at a steady interval (cron logs show it is alive); -q not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed, testBed } from '../helpers/sandbox.js';
import { sheet } from '../helpers/fanout.js';

// Processing takes 2 s and progress lines come every 0.1 s, so several fall inside it however slow the machine.
const bed = sharedTestBed({ listProcessingMs: 2000 });

test('contacts upload off a terminal prints "Processing…" lines on stderr while the server works; -q prints none', async () => {
  const file = path.join(bed.dir, 'c.csv');
  writeFileSync(file, 'phone_number,full_name\r\n0812-3456-7890,Budi\r\n');
  const env = bed.env('qontak-hmac', { WA_PROGRESS_INTERVAL: '0.1' });
  const r = await runCli(['contacts', 'upload', file, '--name', 'progress-a'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Processing "progress-a"/m);
  const q = await runCli(['-q', 'contacts', 'upload', file, '--name', 'progress-b'], { env });
  assert.equal(q.code, 0, q.stderr);
  assert.doesNotMatch(q.stderr, /Processing/);
});

test('a direct send waiting on a slow server says it is sending to the number, not "Uploading the contact list"', async () => {
  const slow = await testBed({ directPerMinute: 1000 });
  try {
    slow.sandbox.faults.add({ kind: 'latency', ms: 1500, match: { method: 'POST', path: '/broadcasts/whatsapp/direct' } });
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--to', '0812-3456-7890', '--to-name', 'Budi', '--param', '1=full_name'], {
      env: slow.env('qontak-hmac', { WA_PROGRESS_INTERVAL: '0.1' }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Sending to 6281234567890$/m);
    assert.doesNotMatch(r.stderr, /contact list/i);
  } finally {
    await slow.close();
  }
});

test('at --rate 1/s the first two messages reach the gateway a whole second apart (no burst at the start)', async () => {
  const k = await testBed({ konekwaRatePerSecond: 100, konekwaBurst: 100 });
  try {
    const file = sheet(k, 3, '0814');
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', '--rate', '1/s', '--concurrency', '2'], {
      env: k.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' }),
    });
    assert.equal(r.code, 0, r.stderr);
    const at = k.sandbox.state.konekwa.order.map((id) => k.sandbox.state.konekwa.messages.get(id)!.queuedAtMs);
    assert.equal(at.length, 3);
    // A lower bound only: a loaded machine makes the gap longer, never shorter.
    assert.ok(at[1]! - at[0]! >= 950, `the second message ${at[1]! - at[0]!} ms after the first`);
  } finally {
    await k.close();
  }
});

test('the ETA of a fan-out is never shorter than its pacing allows, and is rounded up', async () => {
  const { formatRemaining } = await import('../../src/cli/progress.js');
  assert.equal(formatRemaining(1), '1s');
  assert.equal(formatRemaining(4000), '4s');
  assert.equal(formatRemaining(4001), '5s');
  assert.equal(formatRemaining(61_500), '1m02s');
  // Off a terminal the progress line is printed every WA_PROGRESS_INTERVAL: 4 recipients left at 1/s is at least 4 s,
  // however fast the first one went.
  const k = await testBed({ konekwaRatePerSecond: 100, konekwaBurst: 100 });
  try {
    const file = sheet(k, 5, '0819');
    const r = await runCli(['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', '--rate', '1/s'], {
      env: k.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50', WA_PROGRESS_INTERVAL: '0.2' }),
    });
    assert.equal(r.code, 0, r.stderr);
    const etas = [...r.stderr.matchAll(/^Sending (\d+)\/5 · [\d.]+\/s · ETA (\d+)s/gm)].map((m) => ({ done: Number(m[1]), eta: Number(m[2]) }));
    assert.ok(etas.length > 0, r.stderr);
    for (const e of etas) assert.ok(e.eta >= 5 - e.done, `ETA ${e.eta}s with ${5 - e.done} left at 1/s`);
  } finally {
    await k.close();
  }
});

test('Ctrl-C while Qontak\'s "please wait" is waited out: exit 130 at once, saying the list went up and nothing was sent', async () => {
  const q = await testBed({ listProcessingMs: 20, bulkCooldownMs: 600_000 });
  try {
    const env = q.env('qontak-hmac', { WA_PLEASE_WAIT_MS: '600000' });
    const orders = (name: string, n: string) => {
      const file = path.join(q.dir, name);
      writeFileSync(file, `phone_number,full_name,order_id\r\n0812-3456-78${n},Budi,INV-${n}\r\n`);
      return ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'];
    };
    assert.equal((await runCli(orders('a.csv', '01'), { env })).code, 0);
    // The next broadcast is refused with "please wait" for ten minutes; the person gives up after the first refusal.
    const ac = new AbortController();
    const { InterruptedError } = await import('../../src/errors.js');
    const refusals = () => q.sandbox.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/broadcasts/whatsapp')).length;
    const running = runCli(orders('b.csv', '02'), { env, signal: ac.signal });
    for (let i = 0; i < 2000 && refusals() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new InterruptedError('interrupted'));
    const r = await running;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /waiting \d+ s before trying again/);
    assert.match(r.stderr, /Stopped before the broadcast was created: the contact list [0-9a-f-]+ was uploaded, nothing was sent; run the same command again to send\./);
    assert.equal(q.sandbox.state.broadcasts.size, 1);
  } finally {
    await q.close();
  }
});

test('waiting for list processing that is rate limited looks again only as late as the server asked', async () => {
  const { waitForList } = await import('../../src/core/contacts/list-upload.js');
  const { TransportError } = await import('../../src/providers/errors.js');
  let clock = 0;
  const sleeps: number[] = [];
  let asks = 0;
  const first = { id: 'l1', name: 'nov', progress: 'processing' } as import('../../src/providers/port.js').ContactList;
  const lists = {
    get: async () => {
      if (++asks === 1) throw Object.assign(new TransportError('Qontak is rate limiting (429).', false, 429), { retryAfterMs: 30_000 });
      return { ...first, progress: 'success' };
    },
  };
  const r = await waitForList(lists, first, { timeoutMs: 600_000, now: () => clock, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)) });
  assert.equal(r.kind, 'success');
  assert.deepEqual(sleeps, [1000, 30_000]);
});
