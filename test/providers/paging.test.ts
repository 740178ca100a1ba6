// The one paging helper: repeated cursors, empty pages, de-duplication, offset semantics read from the answer; and
// over real HTTP, the sandbox's keyset-cursor log read whole and the documented repeated-cursor page read once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { offsetModeOf, pageThrough, type PageAnswer, type PagePosition } from '../../src/providers/paging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { qontakAt } from '../helpers/recorded.js';
import { qontakOnSandbox } from '../helpers/qontak-sandbox.js';

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

test('offset semantics come from the first answer: recorded offset:1/target_offset:0 is a page number, the notes offset:0 a skip count', () => {
  assert.equal(offsetModeOf({ offset: 1, limit: 100, total: 100, target_offset: 0 }, 100), 'page');
  assert.equal(offsetModeOf({ offset: 0, limit: 10, total: 58 }, 10), 'skip');
  assert.equal(offsetModeOf({ offset: 1, limit: 4, total: 4 }, 4), 'page');
  assert.equal(offsetModeOf({ offset: 20, limit: 10, target_offset: 20 }, 10), 'skip');
  assert.equal(offsetModeOf({ cursor: { next: 'x' } }, 10), undefined);
});

test('a skip-count server is asked for offset=read, a page-number server for the next page; duplicates across pages are dropped', async () => {
  const items = Array.from({ length: 23 }, (_, i) => ({ id: `i${i}` }));
  for (const mode of ['skip', 'page'] as const) {
    const asked: PagePosition[] = [];
    const got = await collect(
      pageThrough<{ id: string }>(
        async (at, limit) => {
          asked.push(at);
          const start = at.kind === 'offset' ? (mode === 'skip' ? at.offset : (at.offset - 1) * limit) : 0;
          // Each page also repeats the previous page's last item, as a shifting list would.
          const from = Math.max(0, start - 1);
          const page = items.slice(from, start + limit);
          const meta = mode === 'skip' ? { offset: start, limit, total: 23 + 100 } : { offset: at.kind === 'offset' ? at.offset : 1, limit, total: 23 + 100, target_offset: start };
          return { items: page, meta } satisfies PageAnswer<{ id: string }>;
        },
        { pageSize: 10, idOf: (x) => x.id },
      ),
    );
    assert.deepEqual(got.map((x) => x.id), items.map((x) => x.id), mode);
    assert.deepEqual(asked.slice(1).map((a) => (a.kind === 'offset' ? a.offset : -1)), mode === 'skip' ? [10, 21] : [2, 3], mode);
  }
});

test('cursor paging stops on a repeated cursor, on next == prev and on an empty page', async () => {
  let calls = 0;
  const full = Array.from({ length: 5 }, (_, i) => ({ id: `x${i}` }));
  const got = await collect(
    pageThrough<{ id: string }>(
      async (at) => {
        calls++;
        // Cursors only, cycling between two values: a server that would loop forever.
        return { items: at.kind === 'first' ? full : [{ id: `y${calls}` }, ...full.slice(1)], meta: { cursor: { next: calls % 2 ? 'A' : 'B', prev: 'Z' } } };
      },
      { pageSize: 5, idOf: (x) => x.id },
    ),
  );
  assert.equal(calls, 3);
  assert.deepEqual(got.map((x) => x.id), ['x0', 'x1', 'x2', 'x3', 'x4', 'y2', 'y3']);
  calls = 0;
  await collect(pageThrough(async () => (calls++, { items: [], meta: { cursor: { next: 'A' } } }), { pageSize: 5 }));
  assert.equal(calls, 1);
});

test('over HTTP: a log whose every page repeats its cursor (the documented example, next == prev) is read exactly once', async () => {
  // The notes' log example with a full page and no offset in its meta, replayed for every request.
  const page = {
    status: 'success',
    data: Array.from({ length: 100 }, (_, i) => ({ id: `e${i}`, status: 'delivered', contact_phone_number: '6282113410474', created_at: '2021-07-02T07:16:22.549Z' })),
    meta: { pagination: { cursor: { next: 'MTYyNTIxMDE4Mi41NDk=', prev: 'MTYyNTIxMDE4Mi41NDk=' }, limit: 100, total: 100000 } },
  };
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(page));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const p = await qontakAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const r = await p.broadcasts.logPage('b', cursor);
      seen.push(...r.entries);
      cursor = r.next;
    } while (cursor !== null && requests < 50);
    assert.equal(requests, 1);
    assert.equal(seen.length, 100);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('over HTTP: the sandbox log with keyset cursors and ties at every page boundary is read whole, each entry once', async () => {
  const clock = Date.UTC(2026, 10, 2, 9, 0, 0);
  const sb = await startSandbox({ now: () => clock, seed: 9 });
  try {
    const b = sb.state.seedBroadcast({ recipients: 333, startAtMs: clock - 60_000 });
    const { provider } = await qontakOnSandbox(sb, { now: () => clock });
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await provider.broadcasts.logPage(b.id, cursor);
      ids.push(...r.entries.map((e) => e.id));
      cursor = r.next;
      pages++;
    } while (cursor !== null && pages < 20);
    assert.equal(pages, 4);
    assert.equal(ids.length, 333);
    assert.equal(new Set(ids).size, 333);
    // Ties exist at the boundaries the cursors would have used.
    const at = (i: number) => Math.floor(i / 7);
    assert.equal(at(99), at(100));
    const broadcasts = await collect(provider.broadcasts.list({}));
    assert.ok(broadcasts.some((x) => x.id === b.id));
  } finally {
    await sb.close();
  }
});
