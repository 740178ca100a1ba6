// The journal's group commit (file order, durability before resolve, lazy lines, close, one flush for many sends, a
// failed write), its chunked replay, and the staged plan that becomes a run's plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRun } from '../../../src/core/runs/plan-write.js';
import { PlanStage } from '../../../src/core/runs/plan-stage.js';
import { readHeaderAt, readPlan, type PlannedRecipient, type RunHeader } from '../../../src/core/runs/plan.js';
import { replay, RunState, type JournalEvent } from '../../../src/core/runs/state.js';
import type { Journal } from '../../../src/core/runs/journal.js';

const header = (total: number, over: Partial<RunHeader> = {}): RunHeader => ({ v: 1, runId: 'r1', createdAt: '2026-11-30T00:00:00.000Z', provider: 'konekwa', name: 'n', templateId: 't', templateName: 'promo', channelId: 's', idempotencyKey: 'k', total, ...over });
const people = (n: number): PlannedRecipient[] => Array.from({ length: n }, (_, i) => ({ i, row: i + 2, phone: `628120000${String(i).padStart(4, '0')}`, name: `P${i}`, values: { name: `P${i}` }, text: `Halo P${i}` }));

/** A seeded generator: a failure shows the same mix of durable and lazy appends every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

async function run(n: number): Promise<{ dir: string; journal: Journal; file: string; lines: () => string[]; done: () => void }> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wa-journal-'));
  const journal = await createRun(stateDir, header(n), people(n));
  const file = path.join(journal.dir, 'journal.jsonl');
  const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return { dir: stateDir, journal, file, lines, done: () => rmSync(stateDir, { recursive: true, force: true }) };
}

const ev = (i: number, s: JournalEvent['s'] = 'sending', extra: Partial<JournalEvent> = {}): JournalEvent => ({ i, s, at: `2026-11-30T00:00:${String(i % 60).padStart(2, '0')}.000Z`, ...extra });

/** The FileHandle class is not exported: its prototype is reached through a handle of its own. */
async function fileHandleProto(): Promise<Record<string, (...a: unknown[]) => Promise<unknown>>> {
  const h = await open(import.meta.filename, 'r');
  const proto = Object.getPrototypeOf(h) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  await h.close();
  return proto;
}

test('journal: 500 concurrent appends of random durability land in the file in the order they were appended', async () => {
  const r = await run(500);
  try {
    const rnd = prng(15);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      waits.push(r.journal.append(ev(i, 'sending'), rnd() < 0.5));
      // Some turns of the loop between appends, so several groups are written while others are being appended.
      if (rnd() < 0.1) await new Promise((ok) => setImmediate(ok));
      if (rnd() < 0.02) await new Promise((ok) => setTimeout(ok, 3));
    }
    await Promise.all(waits);
    await r.journal.close();
    const lines = r.lines();
    assert.ok(JSON.parse(lines[0]!).open, 'the opening line comes first');
    assert.ok(JSON.parse(lines.at(-1)!).closed, 'the closing line comes last');
    assert.deepEqual(lines.slice(1, -1).map((l) => (JSON.parse(l) as JournalEvent).i), [...Array(500).keys()]);
    const state = await replay(r.journal.dir, 500);
    assert.ok(state.trusted);
    assert.ok(state.closed, 'ended in order: no line can be missing at its end');
    assert.equal(state.count('sending'), 500);
  } finally {
    r.done();
  }
});

test('journal: a durable append resolves only once its line, and every line appended before it, is in the file', async () => {
  const r = await run(200);
  try {
    const rnd = prng(7);
    const checks: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const durable = rnd() < 0.4;
      const p = r.journal.append(ev(i, 'sending'), durable);
      if (!durable) continue;
      checks.push(
        p.then(() => {
          // Read at once, synchronously, in the turn the promise resolved in.
          const seen = r.lines().slice(1).map((l) => (JSON.parse(l) as JournalEvent).i);
          assert.ok(seen.length >= i + 1, `append ${i} resolved with only ${seen.length} line(s) in the file`);
          assert.deepEqual(seen.slice(0, i + 1), [...Array(i + 1).keys()]);
        }),
      );
      if (rnd() < 0.2) await new Promise((ok) => setImmediate(ok));
    }
    assert.ok(checks.length > 50);
    await Promise.all(checks);
    await r.journal.close();
  } finally {
    r.done();
  }
});

test('journal: a non-durable line is not written at once, and reaches the file within LAZY_MS with no further call', async () => {
  const r = await run(3);
  try {
    await r.journal.append(ev(0, 'sending'), true);
    // Let the commit that wrote it end: a line appended while a write is under way rides along with it.
    await new Promise((ok) => setTimeout(ok, 50));
    void r.journal.append(ev(0, 'sent', { id: 'wamid.lazy' }), false);
    assert.ok(!readFileSync(r.file, 'utf8').includes('wamid.lazy'), 'a lazy line is buffered, not written synchronously');
    // LAZY_MS is 100 ms; the margin is generous for a loaded machine.
    await new Promise((ok) => setTimeout(ok, 600));
    assert.ok(readFileSync(r.file, 'utf8').includes('wamid.lazy'), 'the lazy line reached the file by itself');
    await r.journal.close();
  } finally {
    r.done();
  }
});

test('journal: close() writes every pending line', async () => {
  const r = await run(50);
  try {
    for (let i = 0; i < 50; i++) void r.journal.append(ev(i, 'failed', { error: `fehler ${i} ñ` }), false);
    await r.journal.close();
    const lines = r.lines();
    assert.equal(lines.length, 52, 'opening, 50 events, closing');
    const state = await replay(r.journal.dir, 50);
    assert.equal(state.count('failed'), 50);
    // A journal cut at a line boundary loses its closing line: it no longer says nothing is missing.
    writeFileSync(r.file, `${lines.slice(0, 40).join('\n')}\n`);
    assert.equal((await replay(r.journal.dir, 50)).closed, false);
    assert.equal(state.errors.get(49), 'fehler 49 ñ');
  } finally {
    r.done();
  }
});

test('journal: 300 durable appends in flight at once share a handful of datasyncs, each resolved after one', async () => {
  const r = await run(300);
  const proto = await fileHandleProto();
  const real = proto.datasync!;
  let syncs = 0;
  proto.datasync = function (this: unknown, ...a: unknown[]) {
    syncs++;
    return real.apply(this, a);
  };
  try {
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const before = syncs;
      waits.push(r.journal.append(ev(i, 'sending'), true).then(() => assert.ok(syncs > before, `append ${i} resolved before any datasync after it`)));
    }
    await Promise.all(waits);
    assert.ok(syncs >= 1, 'a durable append is flushed to disk');
    assert.ok(syncs <= 10, `${syncs} datasyncs for 300 durable appends`);
    await r.journal.close();
  } finally {
    proto.datasync = real;
    r.done();
  }
});

test('journal: a failed write rejects every waiting append, every later append and sync; close still returns', async () => {
  const r = await run(10);
  const proto = await fileHandleProto();
  const real = proto.write!;
  let failing = false;
  proto.write = function (this: unknown, ...a: unknown[]) {
    if (failing) return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    return real.apply(this, a);
  };
  try {
    await r.journal.append(ev(0, 'sending'), true);
    failing = true;
    const a = r.journal.append(ev(1, 'sending'), true);
    const b = r.journal.append(ev(2, 'sending'), true);
    await assert.rejects(a, /EIO/);
    await assert.rejects(b, /EIO/);
    failing = false;
    // The disk may work again; the journal must not: a gap in it would be a send without a trace.
    await assert.rejects(r.journal.append(ev(3, 'sending'), true), /EIO/);
    await assert.rejects(r.journal.append(ev(4, 'sent'), false), /EIO/);
    await assert.rejects(r.journal.sync(), /EIO/);
    await r.journal.close();
    const seen = r.lines().slice(1).map((l) => (JSON.parse(l) as JournalEvent).i);
    assert.deepEqual(seen, [0]);
  } finally {
    proto.write = real;
    r.done();
  }
});

test('journal: a failed datasync rejects the durable appends it covered', async () => {
  const r = await run(10);
  const proto = await fileHandleProto();
  const real = proto.datasync!;
  proto.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  try {
    const waits = [r.journal.append(ev(0, 'sending'), true), r.journal.append(ev(1, 'sending'), true)];
    for (const w of waits) await assert.rejects(w, /fdatasync/);
    await assert.rejects(r.journal.append(ev(2, 'sending'), true), /fdatasync/);
    await r.journal.close();
  } finally {
    proto.datasync = real;
    r.done();
  }
});

// ---- replay in chunks ----

/** The journal read whole, line by line: what the chunked replay must agree with. */
function replayWhole(file: string, total: number, ids = true): RunState {
  const state = new RunState(total, { ids });
  const parts = readFileSync(file, 'utf8').split('\n');
  parts.pop(); // after the last newline: empty or torn
  parts.forEach((line, k) => {
    if (!line) return;
    try {
      const e = JSON.parse(line);
      if ('open' in e) state.opened = true;
      else if ('move' in e) state.applyMove(e);
      else state.apply(e);
    } catch (err) {
      state.damage.push(`${file}:${k + 1}: ${(err as Error).message}`);
    }
  });
  return state;
}

const view = (s: RunState) => ({ codes: [...s.codes], ids: [...s.messageIds].sort(), errors: [...s.errors].sort(), damage: s.damage, opened: s.opened, moves: [...s.moves] });

test('replay: a journal over 64 KB with a multi-byte error straddling each chunk boundary and a torn last line reads as it does whole', async () => {
  const CHUNK = 1 << 16;
  const total = 3000;
  // The emoji (4 bytes) is placed to start 1, 2 and 3 bytes before each boundary, and "ñ" (2 bytes) 1 byte before.
  for (const [glyph, before] of [['🎄', 1], ['🎄', 2], ['🎄', 3], ['ñ', 1]] as const) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-replay-'));
    try {
      const out: string[] = [`${JSON.stringify({ open: '2026-11-30T00:00:00.000Z' })}\n`];
      let bytes = Buffer.byteLength(out[0]!);
      let i = 0;
      for (let boundary = CHUNK; boundary <= 3 * CHUNK; boundary += CHUNK) {
        while (bytes < boundary - 400) {
          const line = `${JSON.stringify(ev(i % total, i % 3 === 0 ? 'sent' : 'sending', i % 3 === 0 ? { id: `wamid.${i}` } : {}))}\n`;
          out.push(line);
          bytes += Buffer.byteLength(line);
          i++;
        }
        // A failed event whose error text puts the glyph at boundary - before.
        const prefix = `{"i":${i % total},"s":"failed","at":"2026-11-30T00:00:00.000Z","error":"`;
        const pad = boundary - before - bytes - Buffer.byteLength(prefix);
        const line = `${prefix}${'x'.repeat(pad)}${glyph} Gagal kirim"}\n`;
        assert.equal(Buffer.from(line).indexOf(Buffer.from(glyph)) + bytes, boundary - before);
        out.push(line);
        bytes += Buffer.byteLength(line);
        i++;
      }
      // A line longer than a whole chunk, and a torn last line cut inside a multi-byte character.
      out.push(`${JSON.stringify(ev(5, 'unknown', { error: `${'é'.repeat(40_000)} timeout` }))}\n`);
      out.push(`${JSON.stringify(ev(7, 'sent', { id: 'wamid.torn', error: '🎄' })).slice(0, -5)}`);
      const runDir = path.join(dir, 'run');
      mkdirSync(runDir);
      const file = path.join(runDir, 'journal.jsonl');
      writeFileSync(file, Buffer.concat([...out.slice(0, -1).map((l) => Buffer.from(l)), Buffer.from(out.at(-1)!).subarray(0, -1)]));
      assert.ok(readFileSync(file).length > 3 * CHUNK);

      const chunked = await replay(runDir, total);
      const whole = replayWhole(file, total);
      assert.deepEqual(view(chunked), view(whole), `${glyph} ${before} byte(s) before a boundary`);
      assert.deepEqual(chunked.damage, [], 'no line was cut by the chunking');
      assert.ok(chunked.trusted);
      assert.match(chunked.errors.get(5)!, /^é+ timeout$/);
      assert.ok([...chunked.errors.values()].filter((e) => e.endsWith(`${glyph} Gagal kirim`)).length >= 1, 'the straddling error text survived whole');
      assert.ok(!chunked.messageIds.has(7) || chunked.messageIds.get(7) !== 'wamid.torn', 'the torn line is not an event');
      assert.ok(chunked.messageIds.size > 100);

      const noIds = await replay(runDir, total, { ids: false });
      assert.equal(noIds.messageIds.size, 0, 'ids: false keeps no message ids');
      assert.deepEqual(view(noIds), view(replayWhole(file, total, false)));
      assert.deepEqual([...noIds.codes], [...chunked.codes]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('replay: a damaged line in the middle is reported with its line number, as read whole', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-replay-'));
  try {
    const lines = [JSON.stringify({ open: 'x' })];
    for (let i = 0; i < 4000; i++) lines.push(JSON.stringify(ev(i % 10, 'sending')));
    lines[2500] = '{"i":3,"s":"sen';
    writeFileSync(path.join(dir, 'journal.jsonl'), `${lines.join('\n')}\n`);
    const chunked = await replay(dir, 10);
    assert.deepEqual(view(chunked), view(replayWhole(path.join(dir, 'journal.jsonl'), 10)));
    assert.equal(chunked.damage.length, 1);
    assert.match(chunked.damage[0]!, /journal\.jsonl:2501: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the staged plan ----

const recipient = (k: number) => ({ row: k + 2, phone: `62813${String(k).padStart(8, '0')}`, name: `Ñandú ${k} 🎄`, values: { name: `Ñandú ${k}`, company: `Acme "${k % 3}"` } });

test('stage: the plan file holds the padded header, then recipients 0..n-1 pinned to the sessions in turn', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wa-stage-'));
  try {
    const stage = await PlanStage.create(stateDir, ['ses_a', 'ses_b', 'ses_c']);
    const n = 2500; // more than the stage's 64 KB buffer holds
    for (let k = 0; k < n; k++) stage.add(recipient(k), `Halo Ñandú ${k} 🎄`);
    // One line longer than the buffer, written past it without losing its place.
    stage.add(recipient(n), `Halo ${'ü'.repeat(40_000)}`);
    assert.equal(stage.count, n + 1);
    const h = header(n + 1, { name: 'Promo Desember 🎄 ñ', channelIds: ['ses_a', 'ses_b', 'ses_c'], channelId: 'ses_a' });
    const journal = await createRun(stateDir, h, stage);
    await journal.close();

    const bytes = readFileSync(path.join(journal.dir, 'plan.jsonl'));
    const first = bytes.subarray(0, bytes.indexOf(0x0a)).toString('utf8');
    assert.equal(Buffer.byteLength(first), 8191, 'the header fills its reserved room');
    assert.match(first, /^\{.*\} +$/);
    assert.deepEqual(JSON.parse(first), h);
    assert.deepEqual(await readHeaderAt(journal.dir), h);

    const plan: PlannedRecipient[] = [];
    for await (const r of readPlan(journal.dir)) plan.push(r);
    assert.equal(plan.length, n + 1);
    plan.forEach((r, k) => {
      const want = recipient(k);
      assert.deepEqual({ ...r }, { i: k, row: want.row, phone: want.phone, name: want.name, values: want.values, text: k < n ? `Halo Ñandú ${k} 🎄` : `Halo ${'ü'.repeat(40_000)}`, session: ['ses_a', 'ses_b', 'ses_c'][k % 3] });
    });
    assert.deepEqual(readdirSync(path.join(stateDir, 'staged')), [], 'the stage became the plan');
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('stage: one session pins nobody; a header too long for its room still makes a whole plan', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wa-stage-'));
  try {
    const stage = await PlanStage.create(stateDir, ['ses_a']);
    for (let k = 0; k < 5; k++) stage.add(recipient(k), `t${k}`);
    const h = header(5, { name: `Promo ${'🎄'.repeat(2100)}` }); // over 8 KB in UTF-8, under it in characters
    const journal = await createRun(stateDir, h, stage);
    await journal.close();
    assert.deepEqual(await readHeaderAt(journal.dir), h);
    const plan: PlannedRecipient[] = [];
    for await (const r of readPlan(journal.dir)) plan.push(r);
    assert.deepEqual(plan.map((r) => [r.i, r.text, 'session' in r]), [0, 1, 2, 3, 4].map((k) => [k, `t${k}`, false]));
    assert.deepEqual(readdirSync(path.join(stateDir, 'staged')), []);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('stage: discard() removes it; create removes stages over a day old and keeps younger ones', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'wa-stage-'));
  try {
    const a = await PlanStage.create(stateDir, ['s']);
    a.add(recipient(0), 'x');
    assert.ok(existsSync(a.file));
    a.discard();
    assert.ok(!existsSync(a.file));
    a.discard(); // twice is harmless

    const staged = path.join(stateDir, 'staged');
    const old = path.join(staged, '1-deadbeef.jsonl');
    const young = path.join(staged, '2-cafebabe.jsonl');
    writeFileSync(old, 'x');
    writeFileSync(young, 'y');
    const dayAgo = (Date.now() - 86_400_000 - 60_000) / 1000;
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(old, dayAgo, dayAgo);
    utimesSync(young, hourAgo, hourAgo);
    const b = await PlanStage.create(stateDir, ['s']);
    assert.ok(!existsSync(old), 'a stage left over a day ago is removed');
    assert.ok(existsSync(young), 'a younger stage may belong to a send being checked now');
    assert.deepEqual(readdirSync(staged).sort(), [path.basename(b.file), path.basename(young)].sort());
    b.discard();
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('the plan is read line by line from bytes: long lines, CRLF ends and multi-byte text across read boundaries come back whole', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-plan-lines-'));
  try {
    // Texts of every length up to 40 KB (past the 16 KB read buffer), full of two-, three- and four-byte characters.
    const rs: PlannedRecipient[] = Array.from({ length: 60 }, (_, i) => ({
      i,
      row: i + 2,
      phone: `62812000${String(i).padStart(5, '0')}`,
      name: `Pelanggan ${i}`,
      values: { name: `Pelanggan ${i}` },
      text: `Halo ${'é✓😀'.repeat(i * 60)} ${'x'.repeat(i * 13)}`,
    }));
    const lines = [JSON.stringify(header(rs.length)), ...rs.map((r) => JSON.stringify(r))];
    writeFileSync(path.join(dir, 'plan.jsonl'), `${lines.join('\r\n')}\r\n`);
    const back: PlannedRecipient[] = [];
    for await (const r of readPlan(dir)) back.push(r);
    assert.deepEqual(back, rs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run header longer than any read buffer is read whole, and a short one without its recipients too', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-header-'));
  try {
    const long = header(1, { name: `campaign ${'é'.repeat(70_000)}` });
    writeFileSync(path.join(dir, 'plan.jsonl'), `${JSON.stringify(long)}\n${JSON.stringify(people(1)[0])}\n`);
    assert.deepEqual(await readHeaderAt(dir), long);
    const short = header(0);
    writeFileSync(path.join(dir, 'plan.jsonl'), JSON.stringify(short));
    assert.deepEqual(await readHeaderAt(dir), short);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
