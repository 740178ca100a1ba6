// broadcast report <id> --out report.html: one self-contained page, rendered in a real headless Chromium whose DOM
// gives back the counts `broadcast status` reports; nothing is fetched, and text from the server stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';
import { sendArgs, sheet } from '../../helpers/fanout.js';
import { chromiumMissing, renderInChromium } from '../../helpers/chromium.js';

const missing = chromiumMissing();
// In CI the browser is installed by .ci/run: a skip there would hide a broken report.
if (missing && process.env.CI === 'true') throw new Error(`the report tests need a browser under CI, but ${missing}`);
const browser = missing ? { skip: missing } : {};

// Fast enough that a Konekwa message is SENT by the time the report reads it.
const bed = sharedTestBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, speed: 1000 });

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
function assertSelfContained(html: string, chart = 'funnel-chart'): void {
  assert.match(html, new RegExp(`<svg id="${chart}"`));
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

/** A run's page as the browser shows it: the story, the server's side, the reasons, the timeline, and no delivery. */
const RUN_READ_BACK = `(() => {
  const num = (t) => Number(String(t).replace(/[^0-9]/g, ''));
  const rows = (table) => Object.fromEntries([...document.querySelectorAll(table + ' tr[data-status]')].map((tr) => [tr.dataset.status, num(tr.querySelector('td').textContent)]));
  return {
    counts: rows('#counts'),
    onServer: rows('#on-server'),
    bars: Object.fromEntries([...document.querySelectorAll('#run-chart rect[data-stage]')].map((r) => [r.dataset.stage, r.getBoundingClientRect().width])),
    reasons: [...document.querySelectorAll('#reasons tbody tr')].map((tr) => [tr.cells[0].textContent, num(tr.cells[1].textContent)]),
    lines: [...document.querySelectorAll('#time-chart polyline')].map((p) => [p.dataset.milestone, Number(p.dataset.final), p.getBoundingClientRect().width > 0 || p.getBoundingClientRect().height > 0]),
    timeNote: document.querySelector('#over-time .note')?.textContent ?? '',
    noDelivery: document.querySelector('#no-delivery')?.textContent ?? '',
    resume: document.querySelector('#resume')?.textContent ?? '',
    deliveredOrRead: document.querySelectorAll('[data-stage="delivered"],[data-stage="read"],[data-milestone="delivered"],[data-milestone="read"],[data-status="delivered"],[data-status="read"],#funnel-chart').length,
    text: document.body.innerText,
    fetchable: document.querySelectorAll('[src],[href],link,script,img,iframe,object,embed,image,use,video,audio,source').length,
    pwned: window.pwned ?? null,
  };
})()`;

interface RunReadBack {
  counts: Record<string, number>;
  onServer: Record<string, number>;
  bars: Record<string, number>;
  reasons: [string, number][];
  lines: [string, number, boolean][];
  timeNote: string;
  noDelivery: string;
  resume: string;
  deliveredOrRead: number;
  text: string;
  fetchable: number;
  pwned: number | null;
}

interface RunStatus {
  id: string;
  status: string;
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  notSent: number;
  onServer: { queued: number; sent: number; unknown: number; notListed: number };
  failureReasons: { reason: string; count: number }[];
  resume: string | null;
}

const storyOf = (s: RunStatus) => ({ sent: s.sent, failed: s.failed, unknown: s.unknown, notSent: s.notSent, total: s.total });
const serverOf = (s: RunStatus) => ({ queued: s.onServer.queued, sent: s.onServer.sent, unknown: s.onServer.unknown, notListed: s.onServer.notListed });

test('a Konekwa run: the page tells the run\'s story as broadcast status does, listed or not yet, with no delivered or read', browser, async () => {
  const env = bed.env('konekwa');
  // The gateway's queue has not listed a single message yet.
  bed.sandbox.setLimits({ konekwaListLagMs: 3_600_000 });
  try {
    // Two recipients refused (with markup in the reason), one answer lost: a run with every kind of count.
    bed.sandbox.faults.add({ kind: 'status', status: 400, body: { error: { code: 'INVALID_REQUEST', message: 'Invalid recipient', details: `Field 'recipient' ${HOSTILE_REASON}` } }, times: 2, match: { method: 'POST', path: /\/v1\/messages$/ } });
    bed.sandbox.faults.add({ kind: 'drop-after', match: { method: 'POST', path: /\/v1\/messages$/ } });
    const send = await runCli([...sendArgs(sheet(bed, 12, '0818'), ['--rate', '1000']), '--no-wait', '--json'], { env });
    assert.equal(bed.sandbox.faults.pending, 0, 'every fault fired');
    assert.equal(send.code, 6, send.stderr);
    const runId = JSON.parse(send.stdout).id as string;
    const statusOf = async (): Promise<RunStatus> => JSON.parse((await runCli(['--json', 'broadcast', 'status', runId], { env })).stdout) as RunStatus;
    const report = async (file: string) => {
      const out = path.join(bed.dir, file);
      const r = await runCli(['--json', 'broadcast', 'report', runId, '--out', out], { env });
      assert.equal(r.code, 0, r.stderr);
      assertSelfContained(readFileSync(out, 'utf8'), 'run-chart');
      const page = await renderInChromium<RunReadBack>(out, RUN_READ_BACK);
      assert.deepEqual(page.requests, [pathToFileURL(out).href], 'the page requested nothing but itself');
      assert.deepEqual([page.value.fetchable, page.value.pwned], [0, null]);
      return { json: JSON.parse(r.stdout) as RunStatus & { out: string }, v: page.value };
    };

    const status = await statusOf();
    assert.deepEqual(storyOf(status), { sent: 9, failed: 2, unknown: 1, notSent: 0, total: 12 });
    assert.deepEqual(serverOf(status), { queued: 0, sent: 0, unknown: 0, notListed: 9 });
    const first = await report('run-unlisted.html');
    const v = first.v;
    // The browser's DOM gives back the story and the server's side that broadcast status prints.
    assert.deepEqual(v.counts, storyOf(status));
    assert.deepEqual(v.onServer, serverOf(status));
    assert.deepEqual(v.reasons, status.failureReasons.map((x) => [x.reason, x.count]));
    assert.ok(v.reasons.some(([reason, count]) => reason.includes(HOSTILE_REASON) && count === 2), JSON.stringify(v.reasons));
    assert.equal(v.resume, `Not finished: continue it with ${status.resume} (or the same send command again).`);
    // Each bar is its share of the recipients.
    for (const k of ['sent', 'failed', 'unknown'] as const) assert.ok(Math.abs(v.bars[k]! / v.bars.total! - status[k] / 12) < 0.01, `${k}: ${v.bars[k]} of ${v.bars.total}`);
    // Nothing it cannot know: no delivered or read anywhere, and one line saying why.
    assert.equal(v.deliveredOrRead, 0);
    assert.doesNotMatch(v.text.replace(v.noDelivery, ''), /deliver|\bread\b/i);
    assert.match(v.noDelivery, /only the QUEUED and SENT statuses.*delivered or read cannot be known/);
    assert.deepEqual(v.lines, [], 'no message is listed yet: no time to draw');
    assert.match(v.timeNote, /No message of this run is listed by the gateway yet/);
    // --json gives the same story.
    assert.deepEqual([storyOf(first.json), serverOf(first.json), first.json.status, first.json.id], [storyOf(status), serverOf(status), status.status, runId]);

    // The queue catches up: the page follows how far the messages got, and draws them over time.
    bed.sandbox.setLimits({ konekwaListLagMs: 0 });
    let listed = await statusOf();
    for (let i = 0; i < 200 && listed.onServer.sent < 9; i++) {
      await new Promise((r) => setTimeout(r, 25));
      listed = await statusOf();
    }
    assert.deepEqual(serverOf(listed), { queued: 0, sent: 9, unknown: 0, notListed: 0 });
    const second = (await report('run-listed.html')).v;
    assert.deepEqual(second.counts, storyOf(listed));
    assert.deepEqual(second.onServer, serverOf(listed));
    assert.deepEqual(second.lines, [['sent', 9, true]]);
    assert.equal(second.deliveredOrRead, 0);
  } finally {
    bed.sandbox.faults.clear();
    bed.sandbox.setLimits({ konekwaListLagMs: 2000 });
  }
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
