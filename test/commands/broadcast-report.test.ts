// broadcast report <id> --out report.html: one self-contained page, rendered in a real headless Chromium whose DOM
// gives back the counts `broadcast status` reports; nothing is fetched, and text from the server stays text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { sendArgs, sheet } from '../helpers/fanout.js';
import { chromiumMissing, renderInChromium } from '../helpers/chromium.js';

const missing = chromiumMissing();
// In CI the browser is installed by .ci/run: a skip there would hide a broken report.
if (missing && process.env.CI === 'true') throw new Error(`the report tests need a browser under CI, but ${missing}`);
const browser = missing ? { skip: missing } : {};

let bed: TestBed;
// Fast enough that a Konekwa message is SENT by the time the report reads it.
before(async () => (bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, speed: 1000 })));
after(() => bed.close());

const HOSTILE_NAME = '</title><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> & "promo"';
const HOSTILE_REASON = '<svg onload="window.pwned = 3"></svg></td></tr></table><script>window.pwned = 4</script>';

/** What the page shows, read from the rendered DOM and its layout. */
const READ_BACK = `(() => {
  const num = (t) => Number(String(t).replace(/[^0-9]/g, ''));
  const rect = (stage) => document.querySelector('#funnel-chart rect[data-stage="' + stage + '"]').getBoundingClientRect().width;
  return {
    title: document.title,
    name: document.querySelector('#name').textContent,
    counts: Object.fromEntries([...document.querySelectorAll('#counts tr[data-status]')].map((tr) => [tr.dataset.status, num(tr.querySelector('td').textContent)])),
    funnelWidths: Object.fromEntries(['total', 'sent', 'delivered', 'read', 'failed'].map((s) => [s, rect(s)])),
    funnelLabels: [...document.querySelectorAll('#funnel-chart text')].map((t) => t.textContent),
    reasons: [...document.querySelectorAll('#reasons tbody tr')].map((tr) => [tr.cells[0].textContent, num(tr.cells[1].textContent)]),
    lines: [...document.querySelectorAll('#time-chart polyline')].map((p) => [p.dataset.milestone, Number(p.dataset.final), p.getBoundingClientRect().width > 0 || p.getBoundingClientRect().height > 0]),
    svgs: document.querySelectorAll('svg').length,
    fetchable: document.querySelectorAll('[src],[href],link,script,img,iframe,object,embed,image,use,video,audio,source').length,
    resources: performance.getEntriesByType('resource').length,
    pwned: window.pwned ?? null,
  };
})()`;

interface ReadBack {
  title: string;
  name: string;
  counts: Record<string, number>;
  funnelWidths: Record<string, number>;
  funnelLabels: string[];
  reasons: [string, number][];
  lines: [string, number, boolean][];
  svgs: number;
  fetchable: number;
  resources: number;
  pwned: number | null;
}

/** The page as written: inline SVG, and nothing a browser could fetch. */
function assertSelfContained(html: string): void {
  assert.match(html, /<svg id="funnel-chart"/);
  // Tags as the browser would read them (an escaped "&lt;img src=x" from the server is text, not a tag).
  assert.doesNotMatch(html, /<(?:script|link|img|iframe|object|embed|image|use|video|audio|source)\b/i);
  assert.doesNotMatch(html, /<[a-z][^>]*\s(?:src|href|xlink:href|srcset)\s*=/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  assert.doesNotMatch(html, /https?:\/\//i, 'no address of any kind');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
}

test('a Qontak broadcast: the page holds an inline SVG funnel, fetches nothing, and the browser\'s DOM gives back the counts of broadcast status', browser, async () => {
  const env = bed.env('qontak-hmac');
  const b = bed.sandbox.state.seedBroadcast({ recipients: 300, startAtMs: Date.now() - 3_600_000, name: HOSTILE_NAME, templateName: 'promo_nov', failureRate: 0.1 });
  const status = JSON.parse((await runCli(['--json', 'broadcast', 'status', b.id], { env })).stdout) as { counts: Record<string, number>; failureReasons: { reason: string; count: number }[] };
  const out = path.join(bed.dir, 'qontak-report.html');
  const r = await runCli(['broadcast', 'report', b.id, '--out', out], { env });
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assertSelfContained(html);
  assert.ok(html.includes('&lt;/title&gt;&lt;script&gt;window.pwned = 1&lt;/script&gt;'), 'the name is escaped');

  const page = await renderInChromium<ReadBack>(out, READ_BACK);
  const v = page.value;
  assert.deepEqual(page.requests, [pathToFileURL(out).href], 'the page requested nothing but itself');
  assert.deepEqual([v.fetchable, v.resources], [0, 0]);
  assert.equal(v.pwned, null, 'no script from the server ran');
  assert.equal(v.name, HOSTILE_NAME, 'the name shows as the text it is');
  assert.equal(v.title, `Delivery report: ${HOSTILE_NAME}`);
  const total = Object.values(status.counts).reduce((a, c) => a + c, 0);
  assert.equal(total, 300);
  assert.deepEqual(v.counts, { ...status.counts, total });
  assert.deepEqual(v.reasons, status.failureReasons.map((x) => [x.reason, x.count]));
  // The funnel as laid out: each bar's rendered width is its share of the recipients' bar.
  const reached = { sent: status.counts.sent! + status.counts.delivered! + status.counts.read!, delivered: status.counts.delivered! + status.counts.read!, read: status.counts.read!, failed: status.counts.failed! };
  for (const [stage, count] of Object.entries(reached)) {
    assert.ok(Math.abs(v.funnelWidths[stage]! / v.funnelWidths.total! - count / total) < 0.01, `${stage}: ${v.funnelWidths[stage]} of ${v.funnelWidths.total} for ${count}/${total}`);
  }
  assert.ok(v.funnelLabels.includes(`${reached.delivered} (${((reached.delivered / total) * 100).toFixed(1)}%)`), v.funnelLabels.join(' | '));
  // Delivery over time: one drawn line per milestone, ending at its count.
  assert.deepEqual(v.lines, [['sent', reached.sent, true], ['delivered', reached.delivered, true], ['read', reached.read, true], ['failed', reached.failed, true]]);
});

test('a failure reason full of markup is shown as text and runs nothing', browser, async () => {
  const env = bed.env('qontak-hmac');
  const b = bed.sandbox.state.seedBroadcast({ recipients: 5, startAtMs: Date.now() - 3_600_000, name: 'plain', templateName: 'promo_nov' });
  b.failAll = HOSTILE_REASON;
  const out = path.join(bed.dir, 'hostile-reason.html');
  const r = await runCli(['broadcast', 'report', b.id, '--out', out], { env });
  assert.equal(r.code, 0, r.stderr);
  assertSelfContained(readFileSync(out, 'utf8'));
  const v = (await renderInChromium<ReadBack>(out, READ_BACK)).value;
  assert.equal(v.pwned, null);
  assert.equal(v.svgs, 2, 'only the two charts are SVG');
  assert.equal(v.reasons.length, 1);
  assert.ok(v.reasons[0]![0].includes(HOSTILE_REASON), v.reasons[0]![0]);
  assert.equal(v.counts.failed, 5);
});

test('a Konekwa run: the report reads the run\'s journal and the gateway, and its DOM agrees with broadcast status', browser, async () => {
  const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
  const send = await runCli([...sendArgs(sheet(bed, 12, '0818'), ['--rate', '1000']), '--json'], { env });
  assert.equal(send.code, 0, send.stderr);
  const runId = JSON.parse(send.stdout).runId as string;
  const status = JSON.parse((await runCli(['--json', 'broadcast', 'status', runId], { env })).stdout) as { counts: Record<string, number> };
  const out = path.join(bed.dir, 'run.html');
  const r = await runCli(['--json', 'broadcast', 'report', runId, '--out', out], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).total, 12);
  assertSelfContained(readFileSync(out, 'utf8'));
  const page = await renderInChromium<ReadBack>(out, READ_BACK);
  assert.deepEqual(page.requests, [pathToFileURL(out).href]);
  assert.deepEqual(page.value.counts, { ...status.counts, total: 12 });
  assert.equal(page.value.funnelWidths.sent! > 0, true);
  // Konekwa lists each message's created_at: the sent line is drawn.
  assert.deepEqual(page.value.lines[0]!.slice(0, 2), ['sent', status.counts.sent! + status.counts.delivered! + status.counts.read!]);
});

test('broadcast report: a wrong --out is refused before any request; an unknown id is exit 3 and writes nothing', async () => {
  const env = bed.env('qontak-hmac');
  const before = bed.sandbox.state.requests.length;
  const bad = await runCli(['broadcast', 'report', '98b463bc-a8f1-4f19-84df-ae62967ff795', '--out', path.join(bed.dir, 'report.pdf')], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\.html/);
  assert.equal(bed.sandbox.state.requests.length, before, 'no request for a wrong --out');
  const out = path.join(bed.dir, 'missing.html');
  const none = await runCli(['broadcast', 'report', '00000000-0000-0000-0000-000000000000', '--out', out], { env });
  assert.equal(none.code, 3, none.stderr);
  assert.equal(existsSync(out), false);
  const k = await runCli(['broadcast', 'report', '20990101-000000-abcdef', '--out', out], { env: bed.env('konekwa') });
  assert.equal(k.code, 3, k.stderr);
});
