// The Konekwa messages adapter against servers that answer what the documents do not promise: a 2xx whose message_id
// is not a string, a 429 in a proxy's words, a request held past the timeout, a listing whose next_page_token never
// repeats, received messages with and without a `sender`, statuses past SENT, and the server's clock from `Date`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../../../src/providers/http.js';
import { KonekwaMessages, KonekwaProvider } from '../../../src/providers/konekwa/adapter.js';
import { readKonekwaError } from '../../../src/providers/konekwa/errors.js';
import { json, withServer } from '../../helpers/http-server.js';

function messages(url: string, opts: { timeoutMs?: number; now?: () => number } = {}): KonekwaMessages {
  return new KonekwaMessages(
    new HttpClient({
      baseUrl: url,
      auth: { kind: 'api-key', key: 'k' },
      env: {},
      apiName: 'Konekwa',
      readError: readKonekwaError,
      sleep: async () => undefined,
      random: () => 0.5,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    }),
  );
}
const one = { sessionId: 's', recipient: '6281234567890', content: 'Halo' };

test('send: the body is the rendered text alone; a 2xx whose message_id is not a string (even 50,000 levels deep) is a doubtful send', async () => {
  const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
  let body = '';
  await withServer(
    (req, res, n) => {
      body = req.body;
      if (n === 1) json(res, 202, { message_id: 'msg_1', status: 'QUEUED', queued_at: '2026-03-10T10:30:00Z' });
      else if (n === 2) {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(`{"message_id":${deep},"status":"QUEUED"}`);
      } else json(res, 202, { status: 'QUEUED' });
    },
    async (url) => {
      const m = messages(url);
      assert.deepEqual(await m.send(one), { kind: 'sent', messageId: 'msg_1' });
      assert.deepEqual(JSON.parse(body), { session_id: 's', recipient: '6281234567890', message_type: 'text', content: 'Halo' });
      for (let i = 0; i < 2; i++) {
        const o = await m.send(one);
        assert.equal(o.kind, 'unknown');
        assert.equal(o.kind === 'unknown' && o.answered, true, 'the server answered: a later listed message settles it');
      }
    },
  );
});

test('send: a 429 in Konekwa\'s own error body is a refusal to retry; in anyone else\'s words it may have been queued', async () => {
  await withServer(
    (_req, res, n) => {
      if (n === 1) json(res, 429, { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many messages' } }, { 'retry-after': '2' });
      else if (n === 2) {
        res.writeHead(429, { 'content-type': 'text/html' });
        res.end('<html><head><title>429 Too Many Requests</title></head></html>');
      } else json(res, 429, { message: 'Too Many Requests' });
    },
    async (url) => {
      const m = messages(url);
      const own = await m.send(one);
      assert.equal(own.kind, 'rate-limited');
      for (const what of ['an HTML page', 'another JSON body']) {
        const o = await m.send(one);
        assert.equal(o.kind, 'unknown', what);
        assert.match(o.kind === 'unknown' ? o.error : '', /Not Konekwa's own refusal: the message may have been queued/);
      }
    },
  );
});

test('send: a request the server holds past the timeout is in doubt and not answered (only the settle window settles it)', async () => {
  await withServer(
    (_req, res) => void setTimeout(() => json(res, 202, { message_id: 'msg_late' }), 400),
    async (url) => {
      const o = await messages(url, { timeoutMs: 100 }).send(one);
      assert.equal(o.kind, 'unknown');
      assert.equal(o.kind === 'unknown' && o.answered, false);
    },
  );
});

test('list: a next_page_token that never repeats is cut off at the page cap with an error, never taken for the end', async () => {
  await withServer(
    (req, res, n) => json(res, 200, { messages: [{ id: `msg_${n}`, recipient: '628', content: 'x', status: 'SENT', created_at: '2026-03-10T10:30:00Z' }], next_page_token: `t${n}`, total_count: 1e9 }),
    async (url, seen) => {
      const read: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const m of messages(url).list({ sessionId: 's', since: '2026-03-10T10:00:00Z', until: '2026-03-10T11:00:00Z', maxPages: 7 })) read.push(m.id);
        })(),
        /Konekwa's message listing of session s went on past 7 pages since 2026-03-10T10:00:00Z/,
      );
      assert.equal(read.length, 7);
      assert.equal(seen.hits, 7, 'no eighth page was asked for');
    },
  );
});

test('list: the time range goes out as start_date and end_date; statuses past SENT come through as they came, counted as no documented status; sender only where present', async () => {
  let query = '';
  await withServer(
    (req, res) => {
      query = req.url ?? '';
      json(res, 200, {
        messages: [
          { id: 'a', recipient: '628', content: 'x', status: 'QUEUED', created_at: '2026-03-10T10:30:00Z' },
          { id: 'b', recipient: '628', content: 'x', status: 'DELIVERED', created_at: '2026-03-10T10:30:00Z' },
          { id: 'c', recipient: '6281100000009', sender: '6281299999999', content: 'STOP', status: 'RECEIVED', created_at: '2026-03-10T10:30:00Z' },
          { id: { nested: true }, recipient: 5, content: null },
        ],
      });
    },
    async (url) => {
      const got = [];
      for await (const m of messages(url).list({ since: '2026-03-10T10:00:00.000Z', until: '2026-03-10T11:00:00.000Z' })) got.push(m);
      assert.match(query, /start_date=2026-03-10T10%3A00%3A00\.000Z&end_date=2026-03-10T11%3A00%3A00\.000Z/);
      assert.deepEqual(got.map((m) => [m.id, m.status, m.delivery, m.sender]), [
        ['a', 'QUEUED', 'pending', undefined],
        ['b', 'DELIVERED', undefined, undefined],
        ['c', 'RECEIVED', undefined, '6281299999999'],
        ['', 'UNKNOWN', undefined, undefined],
      ]);
    },
  );
});

test('the server\'s clock: each answer\'s Date narrows how far it is ahead of ours; one far outside starts the range again', async () => {
  let local = Date.parse('2026-03-10T10:30:00.400Z');
  let serverDate = 'Tue, 10 Mar 2026 10:30:05 GMT';
  await withServer(
    (_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', date: serverDate });
      res.end('{"message_id":"m"}');
    },
    async (url) => {
      const m = messages(url, { now: () => local });
      assert.equal(m.serverClockAhead(), undefined);
      await m.send(one);
      assert.equal(m.serverClockAhead(), 4600, 'at least Date − our clock');
      local = Date.parse('2026-03-10T10:30:00.900Z');
      await m.send(one);
      assert.equal(m.serverClockAhead(), 4600, 'a weaker bound does not lower it');
      local = Date.parse('2026-03-10T10:30:01.050Z');
      serverDate = 'Tue, 10 Mar 2026 10:30:06 GMT';
      await m.send(one);
      assert.equal(m.serverClockAhead(), 4950);
      // Set back by an hour: the range starts again from this answer.
      serverDate = 'Tue, 10 Mar 2026 09:30:06 GMT';
      await m.send(one);
      assert.equal(m.serverClockAhead(), -3_595_050);
    },
  );
});

test('templates: a listing in no shape wa-cli reads is refused, never read as "no templates" (a create would then post a second one)', async () => {
  const provider = (url: string) => new KonekwaProvider(new HttpClient({ baseUrl: url, auth: { kind: 'api-key', key: 'k' }, env: {}, apiName: 'Konekwa', readError: readKonekwaError, sleep: async () => undefined, random: () => 0.5 }));
  const create = { name: 'promo', language: '', category: '', body: 'Halo {{name}}, promo baru.' };
  for (const shape of [{ data: [{ id: 't1', name: 'promo', content: 'Halo {{name}}' }] }, {}, 'templates']) {
    const methods: string[] = [];
    await withServer(
      (req, res) => {
        methods.push(req.method!);
        json(res, 200, shape);
      },
      async (url) => {
        await assert.rejects(provider(url).createTemplate(create), /Konekwa answered GET \/v1\/templates with no list wa-cli can read/);
        assert.deepEqual(methods, ['GET'], `${JSON.stringify(shape)}: nothing was posted`);
      },
    );
  }
  // The two shapes it reads.
  for (const shape of [[{ id: 't1', name: 'promo', content: 'Halo {{name}}' }], { templates: [{ id: 't1', name: 'promo', content: 'Halo {{name}}' }] }]) {
    await withServer(
      (req, res) => json(res, 200, shape),
      async (url) => assert.equal((await provider(url).findTemplate('promo'))?.id, 't1'),
    );
  }
});
