// The JSON contract of the README, walked over every command: each verb the specs declare is run with --json against
// the sandbox (both providers where both have it) and its output checked: camelCase keys at every depth, times in ISO
// 8601 with an offset, numbers as numbers, broadcasts, runs, contact lists and templates with id, name, createdAt and
// status, problems `{row, ruleId, message, severity, column, …}`, JSON Lines for streams, never a provider's raw object.
// A verb the specs gain without a case here fails the first test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/main.js';
import { nouns } from '../../src/commands/index.js';
import { isGroup } from '../../src/cli/spec.js';
import { BROADCAST_STATUSES } from '../../src/cli/present/broadcast.js';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed, type AuthFlavour } from '../helpers/sandbox.js';

let dir: string;
const bed = sharedTestBed({ listProcessingMs: 20, konekwaRatePerSecond: 1000, konekwaBurst: 1000 }, (b) => {
  dir = path.join(b.dir, 'files');
  mkdirSync(dir, { recursive: true });
});

// ---- the contract, checked on any output ---------------------------------------------------------------------------

const ISO_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;
const LOOKS_LIKE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/;
/** Keys whose value is a count (or an amount) wherever they appear: a number, never a display string. */
const NUMERIC = new Set(['total', 'sent', 'failed', 'unknown', 'notSent', 'delivered', 'read', 'pending', 'succeeded', 'contacts', 'costRupiah', 'costPerMessageRupiah', 'elapsedMs', 'warnings', 'errors', 'firstRow', 'ownNumbers', 'expectedSeconds', 'ratePerSecond', 'count', 'already', 'valid', 'invalid', 'emptyRows', 'skipped', 'checkedWithServer', 'foundOnServer', 'queued']);

interface Walk {
  /** Paths (`.profiles`) whose object's keys, and every key below them, are data: the sandbox's profile and variable names. */
  dataKeys?: readonly string[];
}

/** Each key's JSON types over every output of every command, with one place each was seen: a key means one thing. */
const typesOfKey = new Map<string, Map<string, string>>();
const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v);

/** Every key camelCase, every time ISO 8601 with an offset, every count a number, no raw provider object: at any depth. */
function contract(value: unknown, where: string, w: Walk = {}, keysAreData = false): void {
  if (Array.isArray(value)) return value.forEach((v, i) => contract(v, `${where}[${i}]`, w));
  if (typeof value === 'string') {
    if (LOOKS_LIKE_TIME.test(value)) assert.match(value, ISO_OFFSET, `${where}: a time is ISO 8601 with its offset`);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const at = `${where}.${k}`;
    if (!keysAreData) {
      assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${at}: keys are camelCase`);
      assert.notEqual(k, 'raw', `${at}: never a provider's raw object`);
      if (/At$/.test(k) || k === 'since') assert.ok(v === null || (typeof v === 'string' && ISO_OFFSET.test(v)), `${at} = ${JSON.stringify(v)}: a time is ISO 8601 with its offset, or null`);
      if (NUMERIC.has(k)) assert.ok(v === null || typeof v === 'number', `${at} = ${JSON.stringify(v)}: a number`);
      if (v !== null) {
        const types = typesOfKey.get(k) ?? new Map<string, string>();
        if (!types.has(jsonType(v))) types.set(jsonType(v), at);
        typesOfKey.set(k, types);
      }
    }
    // Inside a map keyed by data, every key below is data too (a profile's variables).
    contract(v, at, w, keysAreData || (w.dataKeys ?? []).some((d) => at.replace(/\[\d+\]/g, '').endsWith(d)));
  }
}

type Obj = Record<string, unknown>;

/** A broadcast or a run, whichever provider: id, name, createdAt and a status of the one vocabulary. */
function broadcastLike(o: Obj, where: string, idMayBeNull = false): void {
  assert.ok(typeof o.id === 'string' || (idMayBeNull && o.id === null), `${where}: id`);
  assert.equal(typeof o.name, 'string', `${where}: name`);
  assert.ok('createdAt' in o, `${where}: createdAt`);
  if (!idMayBeNull) assert.match(String(o.createdAt), ISO_OFFSET, `${where}: createdAt`);
  assert.ok((BROADCAST_STATUSES as readonly unknown[]).includes(o.status), `${where}: status ${String(o.status)} is one of ${BROADCAST_STATUSES.join(', ')}`);
}

function runLike(o: Obj, where: string, idMayBeNull = false): void {
  broadcastLike(o, where, idMayBeNull);
  for (const k of ['total', 'sent', 'failed', 'unknown', 'notSent']) assert.equal(typeof o[k], 'number', `${where}: ${k}`);
  assert.ok(['done', 'unfinished', 'damaged'].includes(String(o.status)), `${where}: a run is done, unfinished or damaged`);
}

function templateLike(o: Obj, where: string): void {
  for (const k of ['id', 'name']) assert.equal(typeof o[k], 'string', `${where}: ${k}`);
  for (const k of ['language', 'status', 'category']) assert.ok(k in o && (o[k] === null || typeof o[k] === 'string'), `${where}: ${k}`);
}

function contactListLike(o: Obj, where: string): void {
  assert.ok(typeof o.id === 'string' || o.id === null, `${where}: id`);
  assert.equal(typeof o.name, 'string', `${where}: name`);
  for (const k of ['createdAt', 'status']) assert.ok(k in o, `${where}: ${k}`);
  assert.ok(Array.isArray(o.errorMessages) && (o.errorMessages as unknown[]).every((m) => typeof m === 'string'), `${where}: errorMessages are lines of text`);
}

/** `{row, ruleId, message, severity, column, …}`: those first, in that order, then the kind's own fields. */
function problemLike(o: Obj, where: string): void {
  assert.deepEqual(Object.keys(o).slice(0, 5), ['row', 'ruleId', 'message', 'severity', 'column'], `${where}: a problem's fields`);
  assert.ok(o.row === null || typeof o.row === 'number', `${where}: row`);
  assert.equal(typeof o.ruleId, 'string', `${where}: ruleId`);
  assert.equal(typeof o.message, 'string', `${where}: message`);
  assert.ok(o.severity === 'error' || o.severity === 'warning', `${where}: severity`);
}

// ---- running the commands ------------------------------------------------------------------------------------------

const envOf = (flavour: AuthFlavour) => bed.env(flavour, { WA_RECONCILE_SETTLE_MS: '50', TZ: 'Asia/Jakarta' });

/** One command with --json: its exit code among `codes`, stdout one JSON document, checked against the contract. */
async function json<T = Obj>(flavour: AuthFlavour, args: string[], o: { codes?: number[]; stdin?: string; walk?: Walk } = {}): Promise<T> {
  const r = await runCli(['--json', ...args], { env: envOf(flavour), ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });
  assert.ok((o.codes ?? [0]).includes(r.code), `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  let value: unknown;
  assert.doesNotThrow(() => (value = JSON.parse(r.stdout)), `${args.join(' ')}: stdout is one JSON document:\n${r.stdout.slice(0, 500)}`);
  contract(value, args.slice(0, 2).join(' '), o.walk);
  return value as T;
}

/** A stream: JSON Lines, one object per line, each checked against the contract. */
async function jsonLines(flavour: AuthFlavour, args: string[]): Promise<Obj[]> {
  const r = await runCli(['--json', ...args], { env: envOf(flavour) });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  return lines.map((line, i) => {
    assert.doesNotMatch(line, /^\s/, `${args.join(' ')}: line ${i + 1} is a whole object on one line`);
    const o = JSON.parse(line) as Obj;
    contract(o, `${args.slice(0, 2).join(' ')} line ${i + 1}`);
    return o;
  });
}

/** The verbs as the specs declare them: `noun verb`, or the noun alone where it is the command. */
const verbs = nouns.flatMap((m) => (isGroup(m.spec) ? Object.keys(m.spec.verbs).map((v) => `${m.spec.name} ${v}`) : [m.spec.name]));

/** Verbs whose output is for a shell or a person whatever --json says, and why. */
const NO_JSON: Record<string, string> = {
  completion: 'prints a shell script for the shell to load',
  demo: 'a walkthrough for people: it prints the commands it runs and their output',
};

/** What a case needs from the ones before it: the ids of what they made. */
const made: { qontakBroadcast?: string; konekwaRun?: string; list?: string } = {};

const sheet = (name: string, rows: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, `phone_number,full_name,order_id\n${rows}`);
  return file;
};

const CASES: Record<string, () => Promise<void>> = {
  'auth login': async () => {
    const url = envOf('konekwa').KONEKWA_BASE_URL!;
    const r = await json('konekwa', ['-p', 'spare', 'auth', 'login', '--provider', 'konekwa', '--base-url', url, '--with-secret', '--insecure-storage'], { stdin: `${envOf('konekwa').KONEKWA_API_KEY}\n` });
    assert.deepEqual(Object.keys(r), ['profile', 'provider', 'method', 'baseUrl', 'storage']);
  },
  'auth status': async () => {
    const r = await json<{ secrets: Obj }>('konekwa', ['auth', 'status']);
    assert.deepEqual(Object.keys(r.secrets), ['apiKey'], 'secrets by their camelCase names');
  },
  'auth logout': async () => {
    const r = await json('konekwa', ['-p', 'spare', 'auth', 'logout']);
    assert.equal(r.profileRemoved, true);
  },
  'channels list': async () => {
    for (const flavour of ['qontak-hmac', 'konekwa'] as const) {
      const list = await json<Obj[]>(flavour, ['channels', 'list']);
      assert.ok(list.length > 0);
      for (const c of list) assert.deepEqual(Object.keys(c), ['id', 'name', 'phone', 'status', 'canSend'], `${flavour}: one shape, every key`);
    }
  },
  'templates list': async () => {
    for (const flavour of ['qontak-hmac', 'konekwa'] as const) {
      const list = await json<Obj[]>(flavour, ['templates', 'list', '--all']);
      assert.ok(list.length > 0);
      list.forEach((t, i) => templateLike(t, `${flavour} templates[${i}]`));
      if (flavour === 'konekwa') assert.equal(list[0]!.language, null, 'Konekwa has no languages');
      // What it prints, `templates validate` reads back.
      const linted = await json<{ templates: unknown[] }>(flavour, ['templates', 'validate', '-'], { stdin: JSON.stringify(list), codes: [0, 1] });
      assert.equal(linted.templates.length, list.length);
    }
  },
  'templates show': async () => {
    for (const flavour of ['qontak-hmac', 'konekwa'] as const) {
      const [first] = await json<Obj[]>(flavour, ['templates', 'list', '--limit', '1']);
      const one = await json(flavour, ['templates', 'show', String(first!.id)]);
      templateLike(one, `${flavour} show`);
      assert.deepEqual(Object.keys(one), Object.keys(first!), 'show and list print one shape');
    }
  },
  'templates validate': async () => {
    const file = path.join(dir, 'double-space.json');
    writeFileSync(file, JSON.stringify({ name: 'spaced', language: 'id', category: 'UTILITY', body: 'Halo  {{1}}, apa kabar?' }, null, 2));
    const r = await json<{ templates: { findings: Obj[] }[]; errors: number }>('qontak-hmac', ['templates', 'validate', file], { codes: [1] });
    const findings = r.templates.flatMap((t) => t.findings);
    assert.ok(findings.length > 0 && r.errors > 0);
    findings.forEach((f, i) => problemLike(f, `findings[${i}]`));
    assert.equal(findings[0]!.ruleId, 'double-space');
    assert.equal(findings[0]!.row, 5, 'the line of the file');
  },
  'templates create': async () => {
    const file = path.join(dir, 'call-us.json');
    const tpl = {
      name: 'call_us_now',
      language: 'id',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Halo {{1}}, pesanan Anda sudah dikirim hari ini.', example: { body_text: [['Budi']] } },
        { type: 'BUTTONS', buttons: [{ type: 'PHONE_NUMBER', text: 'Telepon kami', phone_number: '+6281234567890' }] },
      ],
    };
    writeFileSync(file, JSON.stringify(tpl));
    const dry = await json<{ payload: Obj }>('qontak-hmac', ['templates', 'create', file, '--dry-run']);
    assert.equal((dry.payload.buttons as Obj[])[0]!.phoneNumber, '+6281234567890');
    const created = await json('qontak-hmac', ['templates', 'create', file]);
    templateLike(created, 'created');
    assert.equal(created.name, 'call_us_now');
    assert.equal(created.status, 'PENDING');
    // Qontak's own object carries organization_id and quality_rating: none of it is printed.
    for (const k of ['organization_id', 'organizationId', 'quality_rating', 'quality_rating_text']) assert.equal(k in created, false, k);
    assert.deepEqual((created.buttons as Obj[])[0], { type: 'PHONE_NUMBER', text: 'Telepon kami', url: null, phoneNumber: '+6281234567890', example: null });
    // `templates validate` reads what `templates list --json` prints, phoneNumber included.
    const printed = { ...created, buttons: [{ ...(created.buttons as Obj[])[0], phoneNumber: '+62 812 3456 7890 1234 5678' }] };
    const linted = await json<{ templates: { findings: Obj[] }[] }>('qontak-hmac', ['templates', 'validate', '-'], { stdin: JSON.stringify([printed]), codes: [1] });
    assert.deepEqual(linted.templates[0]!.findings.map((f) => f.ruleId), ['phone-button']);
    const konekwa = path.join(dir, 'konekwa.json');
    writeFileSync(konekwa, JSON.stringify({ name: 'thanks_contract', content: 'Terima kasih {{name}}, pesanan Anda sudah kami terima.' }));
    templateLike(await json('konekwa', ['templates', 'create', konekwa]), 'konekwa created');
  },
  'templates wait': async () => {
    const r = await json('qontak-hmac', ['templates', 'wait', 'welcome_member', '--language', 'id', '--timeout', '5s']);
    templateLike(r, 'wait');
    assert.equal(r.outcome, 'approved');
  },
  'templates plan': async () => {
    const folder = path.join(dir, 'plan');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'planned.json'), JSON.stringify({ name: 'planned_one', language: 'id', category: 'UTILITY', body: 'Halo {{1}}, terima kasih sudah berbelanja.' }));
    const r = await json<{ templates: Obj[]; counts: Obj }>('qontak-hmac', ['templates', 'plan', folder]);
    assert.equal(r.templates[0]!.action, 'create');
    for (const n of Object.values(r.counts)) assert.equal(typeof n, 'number');
  },
  'templates apply': async () => {
    const r = await json<{ templates: Obj[] }>('qontak-hmac', ['templates', 'apply', path.join(dir, 'plan')]);
    assert.equal(r.templates[0]!.result, 'created');
    assert.equal(typeof r.templates[0]!.id, 'string');
  },
  'contacts validate': async () => {
    const file = path.join(dir, 'messy.csv');
    writeFileSync(file, 'Nomor HP,full_name,order_id\n081234567801,Budi,INV-1\n12,Sari,INV-2\n081234567801,Budi again,INV-3\n');
    const r = await json<{ problems: Obj[]; headers: Obj[]; duplicates: Obj[] }>('qontak-hmac', ['contacts', 'validate', file], { codes: [1] });
    assert.ok(r.problems.length >= 2);
    r.problems.forEach((p, i) => problemLike(p, `problems[${i}]`));
    const bad = r.problems.find((p) => p.severity === 'error')!;
    assert.equal(bad.row, 3);
    assert.equal(bad.column, 'A');
    assert.deepEqual(r.headers.find((h) => h.header === 'Nomor HP'), { header: 'Nomor HP', name: 'phone_number' });
    assert.deepEqual(r.duplicates, [{ row: 4, phone: '6281234567801', firstRow: 2 }]);
  },
  'contacts upload': async () => {
    const lists = await json<Obj[]>('qontak-hmac', ['contacts', 'upload', sheet('upload.csv', '081234567811,Budi,INV-1\n081234567812,Sari,INV-2\n'), '--name', 'contract-list']);
    assert.equal(lists.length, 1);
    contactListLike(lists[0]!, 'upload');
    assert.match(String(lists[0]!.createdAt), ISO_OFFSET);
    assert.equal(lists[0]!.status, 'success');
    assert.equal(lists[0]!.outcome, 'success');
    made.list = String(lists[0]!.id);
  },
  'contacts lists': async () => {
    const lists = await json<Obj[]>('qontak-hmac', ['contacts', 'lists', '--all']);
    assert.ok(lists.length > 0);
    lists.forEach((l, i) => contactListLike(l, `lists[${i}]`));
  },
  'contacts show': async () => {
    const one = await json('qontak-hmac', ['contacts', 'show', made.list!]);
    contactListLike(one, 'show');
    const [listed] = (await json<Obj[]>('qontak-hmac', ['contacts', 'lists', '--all'])).filter((l) => l.id === made.list);
    assert.deepEqual(Object.keys(one), Object.keys(listed!), 'show and lists print one shape');
  },
  'broadcast send': async () => {
    const qontakArgs = ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--param', '1=full_name', '--param', '2=order_id'];
    const konekwaArgs = ['-y', 'broadcast', 'send', '--template', 'order_update', '--param', 'name=full_name', '--rate', '100/s'];
    const withBad = sheet('send.csv', '081234567801,Budi,INV-1\n081234567802,Sari,INV-2\n12,Nobody,INV-3\n');
    // A dry run: the cost in rupiah as numbers, the channels, when (null: now).
    const dry = await json('qontak-hmac', [...qontakArgs, '--file', withBad, '--skip-invalid', '--dry-run']);
    assert.equal(dry.costRupiah, 2 * 460);
    assert.equal(dry.costPerMessageRupiah, 460);
    assert.equal(dry.sendAt, null);
    assert.equal(dry.template, 'order_update');
    assert.ok(Array.isArray(dry.channels));
    assert.equal((dry.skippedRows as Obj[])[0]!.row, 4);
    const konekwaDry = await json('konekwa', [...konekwaArgs, '--file', withBad, '--skip-invalid', '--dry-run']);
    assert.equal(typeof konekwaDry.expectedSeconds, 'number');
    // Refused: every problem with its row.
    const refused = await json<{ problems: Obj[] }>('qontak-hmac', [...qontakArgs, '--file', sheet('tabbed.csv', '081234567803,"Bu\tdi",INV-1\n')], { codes: [1] });
    refused.problems.forEach((p, i) => problemLike(p, `refused problems[${i}]`));
    assert.equal(refused.problems[0]!.row, 2);
    // Sent: a Qontak broadcast and a Konekwa run, each with id, name, createdAt and status.
    const sent = await json('qontak-hmac', [...qontakArgs, '--file', sheet('qontak.csv', '081234567801,Budi,INV-1\n081234567802,Sari,INV-2\n')]);
    broadcastLike(sent, 'qontak send');
    assert.equal(sent.recipients, 2);
    made.qontakBroadcast = String(sent.id);
    const run = await json<Obj & { outcomes: Obj[]; stoppedSessions: unknown[] }>('konekwa', [...konekwaArgs, '--file', sheet('konekwa.csv', '081234567801,Budi,INV-1\n081234567802,Sari,INV-2\n')]);
    runLike(run, 'konekwa send');
    assert.equal(run.sent, 2);
    assert.equal('runId' in run, false, 'the run is `id`, as everywhere');
    assert.deepEqual(run.stoppedSessions, []);
    made.konekwaRun = String(run.id);
  },
  'broadcast status': async () => {
    const b = await json('qontak-hmac', ['broadcast', 'status', made.qontakBroadcast!]);
    broadcastLike(b, 'qontak status');
    assert.equal(typeof (b.counts as Obj).delivered, 'number');
    runLike(await json('konekwa', ['broadcast', 'status', made.konekwaRun!]), 'konekwa status');
    const folder = path.join(envOf('konekwa').WA_STATE_DIR!, 'runs', made.konekwaRun!);
    const sum = await json<Obj & { runs: Obj[] }>('konekwa', ['broadcast', 'status', '--journal', folder]);
    assert.equal(sum.status, 'done');
    assert.equal(sum.sent, 2, 'the sum of the runs, as a run counts');
    runLike(sum.runs[0]!, 'journal run');
    assert.equal(sum.runs[0]!.id, made.konekwaRun);
  },
  'broadcast report': async () => {
    broadcastLike(await json('qontak-hmac', ['broadcast', 'report', made.qontakBroadcast!, '--out', path.join(dir, 'q.html')]), 'qontak report');
    runLike(await json('konekwa', ['broadcast', 'report', made.konekwaRun!, '--out', path.join(dir, 'k.html')]), 'konekwa report');
  },
  'broadcast list': async () => {
    const q = (await json<Obj[]>('qontak-hmac', ['broadcast', 'list'])).find((b) => b.id === made.qontakBroadcast);
    broadcastLike(q!, 'qontak list');
    const k = (await json<Obj[]>('konekwa', ['broadcast', 'list'])).find((b) => b.id === made.konekwaRun);
    runLike(k!, 'konekwa list');
  },
  'logs tail': async () => {
    const keys = ['event', 'from', 'fromState', 'id', 'phone', 'name', 'status', 'rawStatus', 'state', 'error', 'messageId', 'createdAt', 'sentAt', 'deliveredAt', 'readAt'];
    const q = await jsonLines('qontak-hmac', ['logs', 'tail', made.qontakBroadcast!]);
    assert.ok(q.length > 0);
    for (const e of q) assert.deepEqual(Object.keys(e), keys, 'every entry has every key');
    const k = await jsonLines('konekwa', ['logs', 'tail', made.konekwaRun!, '--follow', '--until-done', '--interval', '1s']);
    for (const e of k.slice(0, -1)) assert.deepEqual(Object.keys(e), keys);
    const summary = k.at(-1)!;
    assert.equal(summary.event, 'summary');
    runLike(summary.run as Obj, 'tail summary run');
  },
  'logs export': async () => {
    const q = await json('qontak-hmac', ['logs', 'export', made.qontakBroadcast!, '--out', path.join(dir, 'q.csv')]);
    assert.equal(typeof q.rows, 'number');
    assert.equal(q.run, null, 'a broadcast has no run');
    runLike((await json('konekwa', ['logs', 'export', made.konekwaRun!, '--out', path.join(dir, 'k.csv')])).run as Obj, 'export run');
  },
  'optout add': async () => {
    const r = await json<{ added: Obj[] }>('konekwa', ['optout', 'add', '0812-9999-0001', '--reason', 'asked']);
    assert.deepEqual(Object.keys(r.added[0]!), ['phone', 'at', 'reason', 'source']);
  },
  'optout remove': async () => {
    await json('konekwa', ['optout', 'add', '0812-9999-0002']);
    assert.deepEqual(await json('konekwa', ['optout', 'remove', '0812-9999-0002']), { removed: ['6281299990002'], notFound: [] });
  },
  'optout list': async () => {
    const r = await json<{ entries: Obj[] }>('konekwa', ['optout', 'list']);
    assert.equal(r.entries[0]!.phone, '6281299990001');
  },
  'optout import': async () => {
    const file = path.join(dir, 'optouts.csv');
    writeFileSync(file, 'phone_number,reason\n0812-9999-0003,by mail\nnot a number,x\n');
    const r = await json<{ added: Obj[]; skippedRows: Obj[] }>('konekwa', ['optout', 'import', file, '--skip-invalid']);
    assert.equal(r.added.length, 1);
    assert.equal(r.skippedRows[0]!.row, 3);
  },
  'optout export': async () => {
    const entries = await json<Obj[]>('konekwa', ['optout', 'export']);
    assert.ok(entries.length >= 2);
    assert.deepEqual(await json('konekwa', ['optout', 'export', '--out', path.join(dir, 'optouts.xlsx')]), { out: path.join(dir, 'optouts.xlsx'), rows: entries.length });
  },
  'optout sync': async () => {
    const r = await json('konekwa', ['optout', 'sync']);
    assert.equal(typeof r.read, 'number');
  },
  doctor: async () => {
    const r = await json<{ checks: Obj[] }>('konekwa', ['doctor'], { codes: [0, 1] });
    for (const c of r.checks) assert.deepEqual(Object.keys(c), ['id', 'title', 'status', 'detail', 'fix']);
  },
  sandbox: async () => {
    // It runs until stopped: its one line is read, then it is stopped.
    const stdout = new PassThrough();
    const controller = new AbortController();
    let out = '';
    stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) controller.abort();
    });
    await main(['--json', 'sandbox'], { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: {}, cwd: dir, signal: controller.signal });
    const r = JSON.parse(out.split('\n')[0]!) as Obj;
    // Profile and environment variable names are data: the shell needs them as they are.
    contract(r, 'sandbox', { dataKeys: ['.profiles', '.exports'] });
    assert.match(String((r.exports as Obj)['qontak-hmac']), /^export MEKARI_API_BASE_URL=/m);
  },
};

test('every verb of the specs has its JSON case here, or says why it prints no JSON', () => {
  assert.ok(verbs.length >= 30, 'the verbs were read from the specs');
  assert.deepEqual([...verbs].sort(), [...Object.keys(CASES), ...Object.keys(NO_JSON)].sort());
});

for (const [verb, run] of Object.entries(CASES)) test(`${verb} --json keeps the contract`, run);

/** The keys allowed two types, each with why. */
const TWO_TYPES: Record<string, string> = {
  column: "a problem's column is where it is: a sheet's is its letter (A, B, …) as the sheet shows it, a template file's a number",
  header: "a template's header is its header component ({format, text, …}); a sheet's is the text atop a column",
};

test('a key has one JSON type in every output of every command (a count is never a list elsewhere)', () => {
  assert.ok(typesOfKey.size > 100, `the outputs above were walked (${typesOfKey.size} keys)`);
  const mixed = [...typesOfKey].filter(([k, types]) => types.size > 1 && !TWO_TYPES[k]).map(([k, types]) => `${k}: ${[...types].map(([t, at]) => `${t} at ${at}`).join(', ')}`);
  assert.deepEqual(mixed, []);
});
