// Every way the network and the API fail, met by real commands through the sandbox's fault injection: a clear
// message, the right exit code, nothing sent twice, nothing forgotten.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';
import type { FaultRule } from '../../src/sandbox/index.js';

const bed = sharedTestBed({ directPerMinute: 1000 });
let tried = 0;
after(() => console.log(`fault suite: ${tried} faults tried`));

const GET = { method: 'GET', path: '/integrations' };
const env = () => bed.env('qontak-hmac', { WA_HTTP_TIMEOUT_MS: '400' });

interface Case {
  name: string;
  fault: FaultRule;
  code: number;
  message?: RegExp;
}

// A fault that happens once is absorbed by the retry policy of a read; one that persists ends with exit 6.
const reads: Case[] = [
  { name: '500 once', fault: { kind: 'status', status: 500, match: GET }, code: 0 },
  { name: '502 once', fault: { kind: 'status', status: 502, match: GET }, code: 0 },
  { name: '503 always', fault: { kind: 'status', status: 503, match: GET, times: Infinity }, code: 6, message: /failed on the server \(503\)/ },
  { name: '429 Retry-After', fault: { kind: 'rate-limit', form: 'retry-after', seconds: 1, match: GET }, code: 0 },
  { name: '429 x-ratelimit-reset', fault: { kind: 'rate-limit', form: 'x-ratelimit-reset', seconds: 1, match: GET }, code: 0 },
  { name: '429 rate_limit_reset in the body', fault: { kind: 'rate-limit', form: 'body', seconds: 1, match: GET }, code: 0 },
  { name: '429 always', fault: { kind: 'rate-limit', form: 'retry-after', seconds: 0, match: GET, times: Infinity }, code: 6, message: /rate limiting \(429\)/ },
  { name: 'connection reset before the server acted', fault: { kind: 'drop-before', match: GET }, code: 0 },
  { name: 'latency beyond the timeout, once', fault: { kind: 'latency', ms: 1500, match: GET }, code: 0 },
  { name: 'latency beyond the timeout, always', fault: { kind: 'latency', ms: 1500, match: GET, times: Infinity }, code: 6, message: /timed out after 0 s|timed out/ },
  { name: 'malformed JSON', fault: { kind: 'malformed-json', match: GET }, code: 6, message: /not JSON/ },
  { name: 'truncated JSON', fault: { kind: 'truncated-json', match: GET }, code: 6, message: /not JSON/ },
  { name: 'HTML error page from a proxy', fault: { kind: 'html', match: GET, times: Infinity }, code: 6, message: /an HTML page "502 Bad Gateway" \(from a proxy or gateway\?\)/ },
  { name: 'wrong content type on good JSON', fault: { kind: 'wrong-content-type', match: GET }, code: 0 },
  { name: 'a header Node\'s parser rejects', fault: { kind: 'bad-header', match: GET }, code: 6, message: /not valid HTTP \(Invalid header value char\)/ },
];

for (const c of reads) {
  test(`channels list with ${c.name}: exit ${c.code}`, async () => {
    bed.sandbox.faults.clear();
    bed.sandbox.faults.add(c.fault);
    tried++;
    const r = await runCli(['channels', 'list'], { env: env() });
    bed.sandbox.faults.clear();
    assert.equal(r.code, c.code, r.stderr);
    if (c.code === 0) assert.equal(r.stdout.trim().split('\n').length, 3, 'the channels were listed (two wa, one wa_cloud)');
    else {
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
      if (c.message) assert.match(r.stderr, c.message);
    }
  });
}

const DIRECT = { method: 'POST', path: '/broadcasts/whatsapp/direct' };
const send = (phone: string) => ['-y', 'broadcast', 'send', '--template', 'welcome_member', '--language', 'id', '--to', phone, '--param', '1=:Budi'];
const directsTo = (phone: string) => [...bed.sandbox.state.broadcasts.values()].filter((b) => b.recipients.count === 1 && b.recipients.at(0).phone === phone).length;
const ledger = () => readFileSync(path.join(bed.dir, 'state', 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string });

test('a send whose connection drops after the server acted: exit 6, the key stays taken, no second send', async () => {
  tried++;
  bed.sandbox.faults.add({ kind: 'drop-after', match: DIRECT });
  const r = await runCli(send('081200000001'), { env: env() });
  assert.equal(r.code, 6);
  assert.match(r.stderr, /may have received it.*outcome is unknown/);
  assert.equal(directsTo('6281200000001'), 1, 'the server did send it');
  assert.equal(ledger().at(-1)!.status, 'unknown');
  const again = await runCli(send('081200000001'), { env: env() });
  assert.equal(again.code, 5, 'not sent blindly a second time');
  assert.match(again.stderr, /unknown outcome/);
  assert.equal(directsTo('6281200000001'), 1);
});

test('a send answered by a 503: the server may have acted, so it is not retried and the key stays taken', async () => {
  tried++;
  bed.sandbox.faults.add({ kind: 'status', status: 503, match: DIRECT });
  const r = await runCli(send('081200000002'), { env: env() });
  assert.equal(r.code, 6);
  assert.equal(bed.sandbox.state.requests.filter((q) => q.path === DIRECT.path && JSON.parse(q.body).to_number === '6281200000002').length, 1, 'one attempt');
  assert.equal((await runCli(send('081200000002'), { env: env() })).code, 5);
});

test('a direct send answered 429 or reset before any answer is reported as unknown, never resent blindly', async () => {
  tried += 2;
  bed.sandbox.faults.add({ kind: 'rate-limit', form: 'body', seconds: 1, match: DIRECT });
  const r = await runCli(send('081200000003'), { env: env() });
  // A 429 may come from a proxy or after processing, and a direct send has no name to look it up by.
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /429; whether it acted cannot be known/);
  assert.equal(directsTo('6281200000003'), 0);
  assert.equal(ledger().at(-1)!.status, 'unknown');
  bed.sandbox.faults.add({ kind: 'drop-before', match: DIRECT });
  const d = await runCli(send('081200000004'), { env: env() });
  // A reset before any answer cannot be told apart from one after: it is reported, never resent blindly.
  assert.equal(d.code, 6);
  assert.equal(directsTo('6281200000004'), 0, 'the server never saw it');
  assert.equal(ledger().at(-1)!.status, 'unknown');
});

test('a send with truncated JSON in a 2xx answer: the server acted; reported as unknown, not repeated', async () => {
  tried++;
  bed.sandbox.faults.add({ kind: 'truncated-json', match: DIRECT });
  const r = await runCli(send('081200000005'), { env: env() });
  assert.equal(r.code, 6);
  assert.equal(directsTo('6281200000005'), 1);
  assert.equal((await runCli(send('081200000005'), { env: env() })).code, 5);
});
