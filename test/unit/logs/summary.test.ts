import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogSummary, NO_REASON, deliveryRate, readRate, emptyCounts } from '../../../src/core/logs/summary.js';
import { renderSummary, bar, type Colorizer } from '../../../src/core/logs/render-summary.js';

function sample(): LogSummary {
  const s = new LogSummary();
  // 12 entries: 2 pending, 3 sent, 4 delivered, 1 read, 2 failed — reached through transitions.
  for (let i = 0; i < 12; i++) s.add('pending');
  for (let i = 0; i < 10; i++) s.move('pending', 'sent');
  for (let i = 0; i < 5; i++) s.move('sent', 'delivered');
  s.move('delivered', 'read');
  s.move('sent', 'failed', 'Message undeliverable');
  s.move('sent', 'failed', '  ');
  return s;
}

test('counts follow transitions and reasons add up to the failed count', () => {
  const s = sample();
  assert.deepEqual(s.counts, { pending: 2, sent: 3, delivered: 4, read: 1, failed: 2 });
  assert.equal(s.total, 12);
  assert.deepEqual(s.reasons(), [
    { reason: 'Message undeliverable', count: 1 },
    { reason: NO_REASON, count: 1 },
  ]);
  s.add('failed', 'Message undeliverable');
  s.add('failed', 'Account blocked');
  s.move('read', 'read');
  assert.deepEqual(s.reasons(), [
    { reason: 'Message undeliverable', count: 2 },
    { reason: 'Account blocked', count: 1 },
    { reason: NO_REASON, count: 1 },
  ]);
  assert.equal(s.counts.read, 1);
});

test('delivery rate is (delivered+read) of those no longer pending; read rate is read of those delivered', () => {
  const c = sample().counts;
  assert.equal(deliveryRate(c), 5 / 10);
  assert.equal(readRate(c), 1 / 5);
  assert.equal(deliveryRate({ ...emptyCounts(), pending: 4 }), undefined);
  assert.equal(readRate({ ...emptyCounts(), sent: 4, failed: 1 }), undefined);
  assert.equal(deliveryRate({ ...emptyCounts(), sent: 4, failed: 1 }), 0);
});

test('bars scale to the largest count in eighths of a block, a non-zero count shows at least a sliver', () => {
  assert.equal(bar(10, 10, 20), '█'.repeat(20));
  assert.equal(bar(5, 10, 20), '█'.repeat(10));
  assert.equal(bar(1, 16, 2), '▏');
  assert.equal(bar(1, 100000, 20), '▏');
  assert.equal(bar(0, 10, 20), '');
});

test('renderSummary: bars per status, rates, grouped reasons; no escape codes without color', () => {
  const lines = renderSummary(sample().snapshot(), { color: false, width: 80 });
  const byStatus = (st: string) => lines.find((l) => l.trimStart().startsWith(st))!;
  // delivered (4) is the largest: the full 40 cells; read (1) a quarter of it.
  assert.equal((byStatus('delivered').match(/█/g) ?? []).length, 40);
  assert.equal((byStatus('read').match(/█/g) ?? []).length, 10);
  assert.match(byStatus('failed'), /failed\s+2\s+█{20}$/);
  assert.match(lines.find((l) => l.includes('total'))!, /total\s+12$/);
  assert.match(lines.find((l) => l.includes('delivery rate'))!, /50\.0%/);
  assert.match(lines.find((l) => l.includes('read rate'))!, /20\.0%/);
  const at = lines.findIndex((l) => l.includes('failure reasons'));
  assert.ok(at > 0);
  assert.match(lines[at + 1]!, /^\s+1 {2}Message undeliverable$/);
  assert.match(lines[at + 2]!, new RegExp(`^\\s+1 {2}${NO_REASON}$`));
  assert.equal(lines.join('\n').includes('\u001b'), false);
  for (const l of lines) assert.ok([...l].length <= 80, l);
});

test('renderSummary: narrow widths shrink bars and cut long reasons; color uses the colorizer given', () => {
  const s = new LogSummary();
  s.add('failed', `The template (sorry_yee) does not exist ${'x'.repeat(200)}`);
  s.add('read');
  const narrow = renderSummary(s.snapshot(), { color: false, width: 40 });
  for (const l of narrow) assert.ok([...l].length <= 40, `${[...l].length}: ${l}`);
  assert.match(narrow.find((l) => l.includes('delivery rate'))!, /^  delivery rate 50\.0%$/);
  assert.match(narrow.at(-1)!, /…$/);

  const seen: string[] = [];
  const tag: Colorizer = (style, text) => {
    seen.push(style);
    return `<${style}>${text}</${style}>`;
  };
  const colored = renderSummary(s.snapshot(), { color: true, colorizer: tag }).join('\n');
  assert.match(colored, /<failed>failed {3}<\/failed>/);
  assert.ok(seen.includes('read') && seen.includes('dim'));
  assert.match(renderSummary(s.snapshot(), { color: true }).join('\n'), /\u001b\[31m/);
  // A snapshot built from API counts alone (broadcast status) renders without reasons.
  const fromApi = renderSummary({ counts: { ...emptyCounts(), delivered: 3 }, reasons: [] }, { color: false });
  assert.equal(fromApi.some((l) => l.includes('failure reasons')), false);
  assert.match(fromApi.join('\n'), /delivery rate 100\.0%/);
});
