import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hmacAuthorization, hmacSignature, hmacSigningString } from '../../src/providers/hmac.js';

test("reproduces Mekari's published HMAC example", () => {
  const date = 'Wed, 10 Nov 2021 07:24:29 GMT';
  const sig = hmacSignature('YOUR_MEKARI_API_CLIENT_SECRET', date, 'POST', '/v2/klikpajak/v1/efaktur/out?auto_approval=false');
  assert.equal(sig, '6+Ah/UTmbqd+DDqlh6zYZ0HuCwVhtElYDOoucRPCaFg=');
});

test('signing string is the date line and the request line', () => {
  assert.equal(hmacSigningString('D', 'get', '/a?b=1'), 'date: D\nGET /a?b=1 HTTP/1.1');
});

test('authorization header names the client id, algorithm and signed headers', () => {
  assert.equal(
    hmacAuthorization('cid', 'SIG='),
    'hmac username="cid", algorithm="hmac-sha256", headers="date request-line", signature="SIG="',
  );
});
