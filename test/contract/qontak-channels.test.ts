import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readQontakError } from '../../src/providers/qontak/errors.js';
import { ApiAuthError } from '../../src/providers/errors.js';
import { loadRecorded, qontakAt, replay } from '../helpers/recorded.js';

const provider = qontakAt;

test('channels: the recorded integrations list maps to its WhatsApp channels only', async () => {
  const srv = await replay('get_integrations_200');
  try {
    const channels = await (await provider(srv.url)).listChannels();
    const recorded = (loadRecorded('get_integrations_200').body as { data: { target_channel: string; id: string }[] }).data;
    const expected = recorded.filter((i) => i.target_channel === 'wa' || i.target_channel === 'wa_cloud').map((i) => i.id);
    assert.ok(expected.length > 0);
    assert.deepEqual(channels.map((c) => c.id), expected);
    const wa = channels.find((c) => c.id === '2fe8177e-3944-4abb-96ac-2db21c7ec0b8')!;
    assert.equal(wa.name, 'Qontak Test Load');
    assert.equal(wa.phone, '6287814523385');
    assert.equal(wa.canSend, true);
    // Unfiltered, so wa_cloud channels come too (a target_channel=wa filter would hide them), signed.
    assert.ok(channels.some((c) => recorded.find((i) => i.id === c.id)!.target_channel === 'wa_cloud'));
    assert.match(srv.requests[0]!.url, /^\/qontak\/chat\/v1\/integrations\?limit=100$/);
    assert.match(String(srv.requests[0]!.headers.authorization), /^hmac username="cid"/);
    // total=100 with 100 per page: one request, no walk past the end.
    assert.equal(srv.requests.length, 1);
  } finally {
    await srv.close();
  }
});

test('channels: the recorded 401 becomes an auth error quoting "Unauthorized", naming signature and clock before credentials', async () => {
  const srv = await replay('get_integrations_401');
  try {
    const err = await (await provider(srv.url)).listChannels().catch((e: unknown) => e);
    assert.ok(err instanceof ApiAuthError);
    assert.equal(err.exitCode, 4);
    assert.match(err.message, /Qontak refused the request \(401\): "Unauthorized": the signature or the clock, or else the credentials\./);
  } finally {
    await srv.close();
  }
});

test('errors: the recorded 422 "Couldn\'t find" reads as not found', () => {
  const rec = loadRecorded('get_contacts_contact_lists_ID_422');
  const reading = readQontakError(rec._status, rec.body);
  assert.equal(reading.notFound, true);
  assert.match(reading.messages[0]!, /Couldn't find contact list/);
});
