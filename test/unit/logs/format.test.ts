import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEntryLine, toJsonLine, parseStatusFilter, matchesStatusFilter, type LogEvent } from '../../../src/core/logs/format.js';
import type { LogEntry } from '../../../src/core/logs/entry.js';

const read: LogEntry = {
  id: 'l1',
  phone: '6281234567890',
  name: 'Budi',
  status: 'read',
  waMessageId: 'wamid.1',
  createdAt: '2024-10-15T21:18:44.298Z',
  sentAt: '2024-10-15T21:18:50.000Z',
  readAt: '2024-10-15T21:30:00.000Z',
};

test('a text line: time of the current status, phone, name, status, error', () => {
  assert.equal(formatEntryLine(read), `2024-10-15 21:30:00  6281234567890    Budi                  read`);
  const failed: LogEntry = { id: 'l2', phone: '612381239', name: 'uzi', status: 'failed', error: 'Template not approved', createdAt: '2024-10-15T21:18:44.298Z' };
  const line = formatEntryLine({ kind: 'change', entry: failed, from: 'pending', to: 'failed' });
  assert.equal(line, `2024-10-15 21:18:44  612381239        uzi                   pending → failed  Template not approved`);
  // Without any time on the entry, the time it was seen.
  assert.match(formatEntryLine({ kind: 'new', entry: { id: 'x', phone: '1', status: 'pending' }, seenAt: '2025-01-02T03:04:05.000Z' }), /^2025-01-02 03:04:05 {2}1 +- +pending$/);
});

test('control characters in names and reasons cannot break the line or reach the terminal', () => {
  const line = formatEntryLine({ id: 'x', phone: '62\n1', name: 'Evil\u001b[2J\r\nName', status: 'failed', error: 'line1\nline2' });
  assert.equal(/[\u0000-\u001f]/.test(line), false);
  assert.match(line, /Evil \[2J Name/);
  assert.match(line, /line1 line2$/);
});

test('a JSON line holds the event, the move and the entry, on one line', () => {
  const ev: LogEvent = { kind: 'change', entry: { ...read, name: 'Bu\ndi\u2028' }, from: 'sent', to: 'read', seenAt: '2025-01-01T00:00:00.000Z' };
  const line = toJsonLine(ev);
  assert.equal(line.includes('\n'), false);
  assert.equal(line.includes('\u2028'), false);
  const back = JSON.parse(line) as Record<string, unknown>;
  assert.equal(back.event, 'change');
  assert.equal(back.from, 'sent');
  assert.equal(back.to, 'read');
  assert.equal(back.name, 'Bu\ndi\u2028');
  assert.equal(back.waMessageId, 'wamid.1');
  assert.equal(back.seenAt, '2025-01-01T00:00:00.000Z');
  assert.deepEqual(JSON.parse(toJsonLine(read)), { event: 'new', ...read });
});

test('--status filter: a list of statuses, an unknown one names the flag', () => {
  const f = parseStatusFilter(' Failed, read ,');
  assert.deepEqual([...f!].sort(), ['failed', 'read']);
  assert.equal(parseStatusFilter(undefined), undefined);
  assert.equal(parseStatusFilter(' , '), undefined);
  assert.throws(() => parseStatusFilter('failed,bounced'), /^InputError: --status: "bounced" is not a status; use any of pending, sent, delivered, read, failed\.$/);
  assert.equal(matchesStatusFilter({ kind: 'new', entry: read }, f), true);
  assert.equal(matchesStatusFilter({ kind: 'change', entry: { ...read, status: 'delivered' }, from: 'sent', to: 'delivered' }, f), false);
  assert.equal(matchesStatusFilter({ kind: 'new', entry: read }, undefined), true);
});
