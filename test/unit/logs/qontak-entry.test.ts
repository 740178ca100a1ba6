import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../helpers/paths.js';
import { fromQontakLogEntry, qontakStatus } from '../../../src/core/logs/qontak-entry.js';

const recordedFile = path.join(sharedDir, 'api', 'qontak', 'recorded', 'get_broadcasts_ID_whatsapp_log_200.json');
const recorded = JSON.parse(readFileSync(recordedFile, 'utf8')) as { body: { data: Record<string, unknown>[] } };
const failedRaw = recorded.body.data[0]!;

test('the recorded failed entry maps with its reason, and "n/a" as the message id means none', () => {
  const e = fromQontakLogEntry(failedRaw);
  assert.equal(e.id, failedRaw.id);
  assert.equal(e.phone, '612381239');
  assert.equal(e.name, 'uzi');
  assert.equal(e.status, 'failed');
  assert.equal(e.error, failedRaw.whatsapp_error_message);
  assert.match(e.error!, /^The template \(sorry_yee\) does not exist/);
  assert.equal(e.waMessageId, undefined);
  assert.equal(e.createdAt, '2024-10-15T21:18:44.298Z');
  // The recorded messages_response is an error envelope: no delivery times in it.
  assert.equal(e.sentAt, undefined);
  assert.equal(e.deliveredAt, undefined);
  assert.equal(e.readAt, undefined);
});

test('"n/a" as the error of a failed entry falls back to the reason inside messages_response', () => {
  const e = fromQontakLogEntry({ ...failedRaw, whatsapp_error_message: 'n/a' });
  const errors = (failedRaw.messages_response as { errors: { details: string }[] }).errors;
  assert.equal(e.error, errors[0]!.details);
});

test('"n/a" as the error of a delivered entry means no error at all', () => {
  const e = fromQontakLogEntry({ ...failedRaw, status: 'delivered', whatsapp_error_message: 'n/a', messages_response: {} });
  assert.equal(e.status, 'delivered');
  assert.equal(e.error, undefined);
  assert.equal('error' in e, false);
});

test('times come from webhook-style statuses in messages_response (seconds as text or number, earliest wins)', () => {
  const e = fromQontakLogEntry({
    ...failedRaw,
    status: 'read',
    whatsapp_error_message: 'n/a',
    whatsapp_message_id: 'wamid.HBgL',
    messages_response: {
      statuses: [
        { id: 'wamid.HBgL', status: 'sent', timestamp: '1700000000' },
        { id: 'wamid.HBgL', status: 'delivered', timestamp: 1700000030 },
        { id: 'wamid.HBgL', status: 'read', timestamp: '1700000090' },
        { id: 'wamid.HBgL', status: 'read', timestamp: '1700000060' },
      ],
    },
  });
  assert.equal(e.waMessageId, 'wamid.HBgL');
  assert.equal(e.sentAt, new Date(1700000000 * 1000).toISOString());
  assert.equal(e.deliveredAt, new Date(1700000030 * 1000).toISOString());
  assert.equal(e.readAt, new Date(1700000060 * 1000).toISOString());
});

test('messages_response given as JSON text, a send result with the message id, and missing pieces are tolerated', () => {
  const e = fromQontakLogEntry({
    id: 'log-2',
    contact_phone_number: 6281234567890,
    status: 'SENT',
    whatsapp_message_id: 'n/a',
    messages_response: JSON.stringify({ messages: [{ id: 'wamid.X' }], statuses: [{ status: 'sent', timestamp: '1700000000' }] }),
  });
  assert.equal(e.phone, '6281234567890');
  assert.equal(e.status, 'sent');
  assert.equal(e.waMessageId, 'wamid.X');
  assert.equal(e.sentAt, '2023-11-14T22:13:20.000Z');
  assert.equal(e.name, undefined);
  assert.equal(e.createdAt, undefined);

  const broken = fromQontakLogEntry({ id: 'log-3', contact_phone_number: '62811', status: 'pending', messages_response: '{not json', created_at: 'yesterday' });
  assert.deepEqual(broken, { id: 'log-3', phone: '62811', status: 'pending' });
});

test('an entry without an id is keyed by its phone, so it can still be followed', () => {
  assert.equal(fromQontakLogEntry({ contact_phone_number: '62812', status: 'sent' }).id, 'phone:62812');
  assert.equal(fromQontakLogEntry(null).id, 'phone:');
});

test('status words: known ones map, unknown ones stay pending rather than failing', () => {
  assert.equal(qontakStatus('Delivered'), 'delivered');
  assert.equal(qontakStatus('queued'), 'pending');
  assert.equal(qontakStatus('undelivered'), 'failed');
  assert.equal(qontakStatus('something-new'), 'pending');
  assert.equal(qontakStatus(undefined), 'pending');
});
