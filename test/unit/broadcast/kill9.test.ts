import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJournal, openJournal, readPlan, replayJournal } from '../../../src/core/broadcast/journal.js';
import { runFanout } from '../../../src/core/broadcast/fanout.js';
import { realSleep } from '../../../src/core/broadcast/token-bucket.js';
import { header, recipients, tempState } from './fixtures.js';
import { httpGateway } from './children/http-gateway.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('kill -9 in the middle of a fan-out, then --resume: every recipient sent exactly once', async () => {
  const N = 120;
  const KILL_AT = 40;
  const received = new Map<string, string[]>();
  let total = 0;
  let onKill: (() => void) | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (req.method === 'GET') {
      const ids = received.get(url.searchParams.get('recipient')!) ?? [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages: ids.map((message_id) => ({ message_id, status: 'QUEUED' })) }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const { recipient } = JSON.parse(body) as { recipient: string };
      const id = `msg-${++total}`;
      received.set(recipient, [...(received.get(recipient) ?? []), id]);
      // Killed while this request is in flight: its answer never reaches the journal.
      if (total === KILL_AT) return onKill?.();
      setTimeout(() => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message_id: id, status: 'QUEUED' }));
      }, Math.floor(Math.random() * 15));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const dir = await tempState();
    const j = await createJournal(dir, header('kill9'), recipients(N));
    await j.close();

    const child = spawn(process.execPath, [path.join(here, 'children', 'fanout-run.js'), j.path, base], { stdio: ['ignore', 'pipe', 'inherit'] });
    onKill = () => child.kill('SIGKILL');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    assert.equal(signal, 'SIGKILL', `child exited with ${code} before being killed`);

    const left = await replayJournal(j.path);
    assert.ok(left.states.count('sending') >= 1, 'the request in flight at the kill is journaled as sending');
    assert.ok(left.states.count('sent') < N);

    const again = await openJournal(j.path);
    const gw = httpGateway(base);
    const summary = await runFanout({
      plan: () => readPlan(again.planPath),
      journal: again,
      send: gw.send,
      reconcile: gw.reconcile,
      ratePerSec: 200,
      concurrency: 4,
      clock: Date.now,
      sleep: realSleep,
      settleMs: 100,
    });
    await again.close();

    assert.equal(received.size, N);
    for (const [phone, ids] of received) assert.equal(ids.length, 1, `${phone} received ${ids.length} messages`);
    assert.equal(summary.sent, N);
    assert.ok(summary.reconciledSent >= 1);
    const final = await replayJournal(j.path, { keepMessageIds: true });
    assert.equal(final.states.count('sent'), N);
    // The journal's message ids are the ones the gateway issued.
    for (const r of recipients(N)) assert.equal(final.states.messageIds!.get(r.i), received.get(r.phone)![0]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
