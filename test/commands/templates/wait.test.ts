// templates create --wait over HTTP: the sandbox's review is driven from the test (it has no reviewer of its own);
// wa-cli polls GET /templates/:id/whatsapp until the answer is final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../helpers/cli.js';
import { testBed, type TestBed } from '../../helpers/sandbox.js';
import { fixture } from '../../helpers/paths.js';

const polls = (bed: TestBed): number => bed.sandbox.state.requests.filter((r) => r.method === 'GET' && /\/templates\/[0-9a-f-]{36}\/whatsapp$/.test(r.path)).length;

/** Gives the template a final status once wa-cli has asked about it (again, after `pollsBefore` asks). */
async function review(bed: TestBed, name: string, status: 'APPROVED' | 'REJECTED', pollsBefore = 0): Promise<void> {
  for (let i = 0; i < 400 && polls(bed) <= pollsBefore; i++) await new Promise((r) => setTimeout(r, 10));
  const t = bed.sandbox.state.templates.find((x) => x.name === name);
  assert.ok(t && t.status === 'PENDING', 'created and pending');
  t.status = status;
}

/** The good promo fixture under a name the sandbox does not hold yet. */
function promo(bed: TestBed): string {
  const file = path.join(bed.dir, 'promo_des.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(fixture('templates', 'good', 'promo-en.json'), 'utf8')), name: 'promo_des' }));
  return file;
}

const wait = ['--wait', '--interval', '1s', '--timeout', '30s'];

test('templates create --wait exits 0 once the template is approved', async () => {
  const bed = await testBed();
  try {
    const running = runCli(['templates', 'create', promo(bed), ...wait], { env: bed.env('qontak-hmac') });
    await review(bed, 'promo_des', 'APPROVED');
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\tpromo_des\tAPPROVED$/m);
    assert.match(r.stderr, /"promo_des" is approved/);
  } finally {
    await bed.close();
  }
});

test('templates create --wait exits 1 when the template is rejected, saying the API gave no reason', async () => {
  const bed = await testBed();
  try {
    const running = runCli(['--json', 'templates', 'create', promo(bed), ...wait], { env: bed.env('qontak-hmac') });
    await review(bed, 'promo_des', 'REJECTED');
    const r = await running;
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(
      (({ status, outcome, reason }) => ({ status, outcome, reason }))(JSON.parse(r.stdout)),
      { status: 'REJECTED', outcome: 'rejected', reason: null },
    );
    assert.match(r.stderr, /"promo_des" was rejected: the API gives no reason/);
  } finally {
    await bed.close();
  }
});

test('templates create --wait exits 6 when the review outlasts --timeout; Konekwa templates need no review (exit 0 at once)', async () => {
  const bed = await testBed();
  try {
    const r = await runCli(['templates', 'create', promo(bed), '--wait', '--interval', '1s', '--timeout', '100ms'], { env: bed.env('qontak-hmac') });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /"promo_des" is still PENDING after 100ms; .* Wait again with `wa-cli templates wait promo_des --language en --timeout 100ms`/);
    const k = await runCli(['templates', 'create', fixture('templates', 'good', 'konekwa-welcome.json'), '--wait'], { env: bed.env('konekwa') });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /is approved/);
  } finally {
    await bed.close();
  }
});

test('after a --wait timeout, the CI retry is `templates wait NAME`: it reaches the verdict; creating again is exit 5 naming it', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    const first = await runCli(['templates', 'create', promo(bed), '--wait', '--interval', '1s', '--timeout', '100ms'], { env });
    assert.equal(first.code, 6, first.stderr);
    const resume = /Wait again with `(wa-cli templates wait [^`]+)`/.exec(first.stderr)?.[1];
    assert.equal(resume, 'wa-cli templates wait promo_des --language en --timeout 100ms');
    // A retry that creates again is refused, and says what to run instead.
    const again = await runCli(['templates', 'create', promo(bed), '--wait'], { env });
    assert.equal(again.code, 5, again.stderr);
    assert.match(again.stderr, /wait for its review with `wa-cli templates wait promo_des --language en`/);
    // The retry as the timeout told it, with a longer timeout: the review ends while it waits.
    const before = polls(bed);
    const waiting = runCli(['--json', 'templates', 'wait', 'promo_des', '--language', 'en', '--interval', '1s', '--timeout', '1m'], { env });
    await review(bed, 'promo_des', 'APPROVED', before);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((({ name, status, outcome }) => ({ name, status, outcome }))(JSON.parse(r.stdout)), { name: 'promo_des', status: 'APPROVED', outcome: 'approved' });
    assert.match(r.stderr, /Waiting for the review of "promo_des" \(en, [0-9a-f-]{36}\): PENDING now\./);
    // A rejected one is exit 1; an unknown name exit 3.
    bed.sandbox.state.templates.find((x) => x.name === 'promo_des')!.status = 'REJECTED';
    assert.equal((await runCli(['templates', 'wait', 'promo_des'], { env })).code, 1);
    assert.equal((await runCli(['templates', 'wait', 'no_such_template'], { env })).code, 3);
  } finally {
    await bed.close();
  }
});

test('a review wait polls no faster than once a second: --interval 0 or 200ms is refused (exit 2) before any request', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    for (const args of [['templates', 'create', promo(bed), '--wait', '--interval', '0'], ['templates', 'wait', 'order_update', '--interval', '200ms']]) {
      const r = await runCli(args, { env });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--interval is at least 1s/);
    }
    assert.equal(bed.sandbox.state.requests.length, 0);
    const help = await runCli(['templates', 'wait', '--help']);
    assert.match(help.stdout, /at least 1s/);
  } finally {
    await bed.close();
  }
});

test('SIGTERM while waiting for a review: exit 143 at once, naming the command that waits again', async () => {
  const bed = await testBed();
  try {
    const { InterruptedError } = await import('../../../src/errors.js');
    const ac = new AbortController();
    const before = polls(bed);
    const stderr = new PassThrough();
    let seen = '';
    stderr.on('data', (d: Buffer) => (seen += d));
    const running = runCli(['templates', 'create', promo(bed), '--wait', '--interval', '1m', '--timeout', '2h'], { env: bed.env('qontak-hmac'), signal: ac.signal, init: { stderr } });
    // Created, and sitting in the first one-minute wait.
    for (let i = 0; i < 2000 && !seen.includes('waiting for the review'); i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new InterruptedError('terminated', { signal: 'SIGTERM' }));
    const r = await running;
    assert.equal(r.code, 143, seen);
    assert.equal(polls(bed), before, 'stopped in the wait, before asking again');
    assert.match(seen, /Stopped waiting for the review of "promo_des" \([0-9a-f-]{36}\); the review goes on\. `wa-cli templates wait promo_des --language en --timeout 2h` waits again\./);
  } finally {
    await bed.close();
  }
});

test('a review wait that is rate limited looks again only as late as the server asked', async () => {
  const { waitForReview } = await import('../../../src/core/template-review.js');
  const { TransportError } = await import('../../../src/providers/errors.js');
  let clock = 0;
  const sleeps: number[] = [];
  let asks = 0;
  const pending = { id: 't1', name: 'promo', status: 'PENDING' } as import('../../../src/providers/port.js').RemoteTemplate;
  const provider = {
    getTemplate: async () => {
      if (++asks === 1) throw Object.assign(new TransportError('Qontak is rate limiting (429).', false, 429), { retryAfterMs: 45_000 });
      return { ...pending, status: 'APPROVED' };
    },
  } as unknown as import('../../../src/providers/port.js').Provider;
  const r = await waitForReview(provider, pending, { timeoutMs: 3_600_000, intervalMs: 10_000, now: () => clock, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)) });
  assert.equal(r.kind, 'approved');
  // 10 s, refused with Retry-After 45 s: the next look comes 45 s after the refusal, not 10 s.
  assert.deepEqual(sleeps, [10_000, 35_000, 10_000]);
});
