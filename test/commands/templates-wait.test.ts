// templates create --wait over HTTP: the sandbox's review is driven from the test (it has no reviewer of its own);
// wa-cli polls GET /templates/:id/whatsapp until the answer is final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { fixture } from '../helpers/paths.js';

/** Gives the template a final status once wa-cli has asked about it at least once after creating it. */
async function review(bed: TestBed, name: string, status: 'APPROVED' | 'REJECTED'): Promise<void> {
  const polled = () => bed.sandbox.state.requests.filter((r) => r.method === 'GET' && /\/templates\/[0-9a-f-]{36}\/whatsapp$/.test(r.path)).length;
  for (let i = 0; i < 400 && polled() < 1; i++) await new Promise((r) => setTimeout(r, 10));
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

const wait = ['--wait', '--interval', '20ms', '--timeout', '30s'];

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
    const r = await runCli(['templates', 'create', promo(bed), '--wait', '--interval', '20ms', '--timeout', '100ms'], { env: bed.env('qontak-hmac') });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /"promo_des" is still PENDING after the timeout/);
    const k = await runCli(['templates', 'create', fixture('templates', 'good', 'konekwa-welcome.json'), '--wait'], { env: bed.env('konekwa') });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /is approved/);
  } finally {
    await bed.close();
  }
});
