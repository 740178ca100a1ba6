// The port as optional capabilities: each adapter carries exactly the ports its API has, and a missing one is a
// CapabilityError (exit 2) raised by the caller, never a method that exists only to throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpClient } from '../../src/providers/http.js';
import { KonekwaProvider } from '../../src/providers/konekwa/adapter.js';
import { QontakProvider } from '../../src/providers/qontak/adapter.js';
import { CapabilityError, hasPorts, need, type PortName, type Provider } from '../../src/providers/port.js';
import { ExitCode } from '../../src/errors.js';
import { repoRoot } from '../helpers/paths.js';

const http = () => new HttpClient({ baseUrl: 'http://127.0.0.1:9', apiName: 'test', auth: { kind: 'none' }, env: {}, sleep: async () => undefined, now: () => 0, signal: new AbortController().signal, log: () => undefined, readError: () => undefined } as never);
const ports = (p: Provider) => (['lists', 'broadcasts', 'messages', 'media'] as PortName[]).filter((k) => p[k] !== undefined);

test('port: Qontak has contact lists, broadcasts and media; Konekwa has single messages only', () => {
  assert.deepEqual(ports(new QontakProvider(http(), 'hmac')), ['lists', 'broadcasts', 'media']);
  assert.deepEqual(ports(new KonekwaProvider(http())), ['messages']);
  assert.equal(hasPorts(new QontakProvider(http(), 'hmac'), 'broadcasts', 'lists'), true);
  assert.equal(hasPorts(new KonekwaProvider(http()), 'broadcasts'), false);
});

test('port: need() hands over the port, or a CapabilityError with the alternative, exit 2', () => {
  const k = new KonekwaProvider(http());
  assert.equal(need(k, 'messages', 'message listing'), k.messages);
  const err = (() => {
    try {
      need(k, 'lists', 'contact lists', 'Send from a spreadsheet with --file instead.');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof CapabilityError);
  assert.equal(err.message, 'Konekwa has no contact lists.');
  assert.equal(err.exitCode, ExitCode.usage);
});

test('port: no adapter holds a method that only throws CapabilityError', () => {
  for (const file of ['src/providers/qontak/adapter.ts', 'src/providers/konekwa/adapter.ts']) {
    assert.doesNotMatch(readFileSync(path.join(repoRoot, file), 'utf8'), /CapabilityError/, file);
  }
});
