import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromQontakLogEntry } from '../../../src/providers/qontak/mapping.js';
import { loadRecorded } from '../../helpers/recorded.js';

test('contract: the recorded failed log entry maps with its reason, and "n/a" means none', () => {
  const rec = loadRecorded('get_broadcasts_ID_whatsapp_log_200').body as { data: unknown[] };
  const e = fromQontakLogEntry(rec.data[0]);
  assert.equal(e.status, 'failed');
  assert.equal(e.phone, '612381239');
  assert.equal(e.name, 'uzi');
  assert.match(e.error!, /^The template \(sorry_yee\) does not exist in the specified language/);
  assert.equal(e.waMessageId, undefined, '"n/a" is no id');
  const ok = fromQontakLogEntry({ ...(rec.data[0] as object), status: 'read', whatsapp_error_message: 'n/a', whatsapp_message_id: 'wamid.1', messages_response: { statuses: [{ status: 'sent', timestamp: '1700000000' }, { status: 'read', timestamp: '1700000060' }] } });
  assert.equal(ok.error, undefined);
  assert.equal(ok.waMessageId, 'wamid.1');
  assert.equal(ok.sentAt, '2023-11-14T22:13:20.000Z');
  assert.equal(ok.readAt, '2023-11-14T22:14:20.000Z');
});
