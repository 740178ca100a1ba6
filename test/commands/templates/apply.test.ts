// Templates as code: `templates plan DIR` compares a folder with the account by name and language; `templates apply
// DIR` creates what is missing, never edits or deletes, and is safe to run again, even when the server created a
// template and then answered 429 or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBed, type TestBed } from '../../helpers/sandbox.js';

const meta = (name: string, language: string, body: string, extra: Record<string, unknown> = {}) => ({
  name,
  language,
  category: 'MARKETING',
  components: [{ type: 'BODY', text: body, example: { body_text: [['Sari']] } }],
  ...extra,
});

/** A folder of template files, one per template. */
function folder(bed: TestBed, name: string, templates: object[]): string {
  const dir = path.join(bed.dir, name);
  mkdirSync(dir, { recursive: true });
  templates.forEach((t, i) => writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}-${(t as { name: string }).name}.json`), JSON.stringify(t, null, 2)));
  return dir;
}

const named = (bed: TestBed, name: string, language?: string) => bed.sandbox.state.templates.filter((t) => t.name === name && (language === undefined || t.language === language));

test('plan --check exits 1 before apply and 0 after it; apply again creates nothing', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    const dir = folder(bed, 'templates', [
      meta('promo_jan', 'id', 'Halo {{1}}, promo Januari sudah dimulai.'),
      meta('promo_jan', 'en', 'Hi {{1}}, the January promo has started.'),
      // Already on the account exactly so (the sandbox's catalogue).
      meta('welcome_member', 'id', 'Selamat datang, {{1}}! Kartu member Anda sudah aktif.'),
    ]);
    const before = await runCli(['templates', 'plan', dir, '--check'], { env });
    assert.equal(before.code, 1, before.stderr);
    assert.deepEqual(before.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3).join(' ')), ['create promo_jan id', 'create promo_jan en', 'same welcome_member id']);
    assert.match(before.stderr, /3 template\(s\): 2 to create, 1 the same, 0 different, 0 rejected/);
    assert.match(before.stderr, /--check: the account does not match .*; run `wa-cli templates apply /);
    assert.equal(named(bed, 'promo_jan').length, 0, 'plan creates nothing');
    assert.equal((await runCli(['templates', 'plan', dir], { env })).code, 0, 'without --check a plan is not a failure');

    const dry = await runCli(['templates', 'apply', dir, '--dry-run'], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /Dry run: nothing was created/);
    assert.equal(named(bed, 'promo_jan').length, 0);

    const apply = await runCli(['--json', 'templates', 'apply', dir], { env });
    assert.equal(apply.code, 0, apply.stderr);
    const j = JSON.parse(apply.stdout);
    assert.deepEqual(j.templates.map((t: { name: string; language: string; result: string; status: string }) => `${t.result} ${t.name} ${t.language} ${t.status}`), ['created promo_jan id PENDING', 'created promo_jan en PENDING', 'same welcome_member id APPROVED']);
    assert.equal(named(bed, 'promo_jan').length, 2);

    const after = await runCli(['templates', 'plan', dir, '--check'], { env });
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /^same\tpromo_jan\tid\tPENDING\t/m);

    const posts = () => bed.sandbox.state.requests.filter((r) => r.method === 'POST' && r.path === '/templates/whatsapp').length;
    const postsBefore = posts();
    const again = await runCli(['templates', 'apply', dir], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(posts(), postsBefore, 'nothing submitted the second time');
    assert.equal(named(bed, 'promo_jan').length, 2);
  } finally {
    await bed.close();
  }
});

test('apply after a 429-after-create, or an answer lost after it, makes one template (Qontak and Konekwa)', async () => {
  const bed = await testBed();
  try {
    const cases: { flavour: 'qontak-hmac' | 'konekwa'; path: RegExp; fault: 'rate-limit' | 'drop-after'; template: object; count: () => number }[] = [
      { flavour: 'qontak-hmac', path: /\/templates\/whatsapp$/, fault: 'rate-limit', template: meta('promo_feb', 'id', 'Halo {{1}}, promo Februari.'), count: () => named(bed, 'promo_feb', 'id').length },
      { flavour: 'qontak-hmac', path: /\/templates\/whatsapp$/, fault: 'drop-after', template: meta('promo_mar', 'id', 'Halo {{1}}, promo Maret.'), count: () => named(bed, 'promo_mar', 'id').length },
      { flavour: 'konekwa', path: /\/v1\/templates$/, fault: 'rate-limit', template: { name: 'promo_apr', content: 'Halo {{name}}, promo April.' }, count: () => bed.sandbox.state.konekwa.templates.filter((t) => t.name === 'promo_apr').length },
      { flavour: 'konekwa', path: /\/v1\/templates$/, fault: 'drop-after', template: { name: 'promo_mei', content: 'Halo {{name}}, promo Mei.' }, count: () => bed.sandbox.state.konekwa.templates.filter((t) => t.name === 'promo_mei').length },
    ];
    for (const c of cases) {
      const dir = folder(bed, `faulty-${c.flavour}-${c.fault}`, [c.template]);
      bed.sandbox.faults.clear();
      bed.sandbox.faults.add(c.fault === 'rate-limit' ? { kind: 'rate-limit', form: 'retry-after', seconds: 0, after: true, match: { method: 'POST', path: c.path } } : { kind: 'drop-after', match: { method: 'POST', path: c.path } });
      const sent = bed.sandbox.state.requests.length;
      const r = await runCli(['--json', 'templates', 'apply', dir], { env: bed.env(c.flavour) });
      const label = `${c.flavour} ${c.fault}`;
      assert.equal(bed.sandbox.faults.pending, 0, `${label}: the fault fired`);
      assert.equal(c.count(), 1, `${label}: exactly one template`);
      // The adapter looked the template up instead of posting it again.
      assert.equal(bed.sandbox.state.requests.slice(sent).filter((q) => q.method === 'POST' && c.path.test(q.path)).length, 1, `${label}: one POST`);
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout).templates.map((t: { result: string }) => t.result), ['created'], label);
      // And a second apply sees it and creates nothing.
      const again = await runCli(['--json', 'templates', 'apply', dir], { env: bed.env(c.flavour) });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(JSON.parse(again.stdout).templates.map((t: { result: string }) => t.result), ['same'], label);
      assert.equal(c.count(), 1, `${label}: still one`);
    }
  } finally {
    await bed.close();
  }
});

test('plan names what differs and what was rejected (pick a new name); apply creates the rest, edits nothing, exits 1', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    const dir = folder(bed, 'mixed', [
      meta('order_update', 'en', 'Hi {{1}}, your order is ready.', { category: 'UTILITY' }),
      meta('campaign_02', 'en', 'Hi {{1}}, this is campaign message number 2.'),
      meta('promo_jun', 'id', 'Halo {{1}}, promo Juni.'),
    ]);
    const plan = await runCli(['--json', 'templates', 'plan', dir, '--check'], { env });
    assert.equal(plan.code, 1);
    const p = JSON.parse(plan.stdout);
    assert.deepEqual(p.counts, { create: 1, same: 0, differs: 1, rejected: 1, invalid: 0 });
    const [differs, rejected] = p.templates;
    assert.deepEqual([differs.action, differs.differences], ['differs', ['body']]);
    assert.match(differs.note, /body differs; a submitted template cannot be edited: pick a new name/);
    assert.equal(rejected.action, 'rejected');
    assert.match(rejected.note, /^rejected: the API gives no reason; pick a new name$/);
    const bodyBefore = named(bed, 'order_update', 'en')[0]!.body;
    const apply = await runCli(['templates', 'apply', dir], { env });
    assert.equal(apply.code, 1, apply.stderr);
    assert.equal(named(bed, 'promo_jun', 'id').length, 1, 'the new one is created');
    assert.equal(named(bed, 'order_update', 'en')[0]!.body, bodyBefore, 'the differing one is not edited');
    assert.equal(named(bed, 'campaign_02', 'en').length, 1);
    assert.equal(bed.sandbox.state.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').length, 0);
  } finally {
    await bed.close();
  }
});

test('a template that breaks a rule, a name given twice or a shape the provider cannot take: plan exits 1, apply creates nothing', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    const dir = folder(bed, 'broken', [
      meta('promo_jul', 'id', 'Halo {{1}},  promo Juli.'),
      meta('promo_agu', 'id', 'Halo {{1}}, promo Agustus.'),
      meta('promo_agu', 'id', 'Halo {{1}}, promo Agustus lagi.'),
      { name: 'promo_sep', content: 'Halo {{name}}, promo September.' },
    ]);
    const plan = await runCli(['--json', 'templates', 'plan', dir], { env });
    assert.equal(plan.code, 1);
    const notes = JSON.parse(plan.stdout).templates.map((t: { action: string; note: string | null }) => `${t.action}: ${t.note}`);
    assert.match(notes[0], /^invalid: 1 error\(s\); `wa-cli templates validate .*00-promo_jul\.json` lists them$/);
    assert.match(notes[1], /^create: null$/);
    assert.match(notes[2], /^invalid: promo_agu \(id\) is also in .*01-promo_agu\.json$/);
    assert.match(notes[3], /^invalid: a Konekwa \{name, content\} template; Qontak needs a Meta template/);
    assert.match(plan.stderr, /double-space/);
    const apply = await runCli(['templates', 'apply', dir], { env });
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /Nothing was created: 3 template\(s\) in .* cannot be created as they are/);
    assert.equal(named(bed, 'promo_agu').length, 0);
    // On Konekwa a Meta template is what cannot be taken.
    const k = await runCli(['--json', 'templates', 'plan', dir], { env: bed.env('konekwa') });
    const kNotes = JSON.parse(k.stdout).templates.map((t: { action: string; note: string | null }) => `${t.action}: ${t.note}`);
    assert.match(kNotes[1], /^invalid: Konekwa templates are \{name, content\} texts with named placeholders/);
    assert.match(kNotes[3], /^create: null$/);
  } finally {
    await bed.close();
  }
});

test('apply --wait waits for every review together: exit 0 when all are approved, 1 when one is rejected; Konekwa needs none', async () => {
  const bed = await testBed();
  try {
    const env = bed.env('qontak-hmac');
    const wait = ['--wait', '--interval', '1s', '--timeout', '30s'];
    // Gives each template its final status once all exist and wa-cli has polled each of them at least once.
    const review = async (names: string[], status: (name: string) => 'APPROVED' | 'REJECTED') => {
      const polled = (id: string) => bed.sandbox.state.requests.some((r) => r.method === 'GET' && r.path === `/templates/${id}/whatsapp`);
      const ready = () => names.every((n) => named(bed, n).length === 1 && polled(named(bed, n)[0]!.id));
      for (let i = 0; i < 2000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ready(), 'created and polled');
      for (const n of names) for (const t of named(bed, n)) t.status = status(n);
    };
    const dir = folder(bed, 'reviewed', [meta('promo_okt', 'id', 'Halo {{1}}, promo Oktober.'), meta('promo_nop', 'id', 'Halo {{1}}, promo November baru.')]);
    const running = runCli(['--json', 'templates', 'apply', dir, ...wait], { env });
    await review(['promo_okt', 'promo_nop'], () => 'APPROVED');
    const ok = await running;
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).templates.map((t: { status: string }) => t.status), ['APPROVED', 'APPROVED']);

    const dir2 = folder(bed, 'reviewed-2', [meta('promo_des2', 'id', 'Halo {{1}}, promo Desember.'), meta('promo_jan2', 'id', 'Halo {{1}}, promo Januari lagi.')]);
    const running2 = runCli(['templates', 'apply', dir2, ...wait], { env });
    await review(['promo_des2', 'promo_jan2'], (n) => (n === 'promo_des2' ? 'REJECTED' : 'APPROVED'));
    const one = await running2;
    assert.equal(one.code, 1, one.stderr);
    assert.match(one.stdout, /^created\tpromo_des2\tid\tREJECTED\t[0-9a-f-]{36}\trejected: the API gives no reason$/m);

    const kdir = folder(bed, 'konekwa', [{ name: 'salam_baru', content: 'Halo {{name}}, salam dari kami.' }]);
    const k = await runCli(['templates', 'apply', kdir, ...wait], { env: bed.env('konekwa') });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /Konekwa: templates are compared by name alone \(no languages\), need no review, and are text only/);
    assert.match(k.stdout, /^created\tsalam_baru\t\tAPPROVED\t/m);
  } finally {
    await bed.close();
  }
});

test('templates apply under GitHub Actions appends what it did to the job summary', async () => {
  const bed = await testBed();
  try {
    const summary = path.join(bed.dir, 'summary.md');
    const dir = folder(bed, 'ci', [meta('promo_ci', 'id', 'Halo {{1}}, promo CI.')]);
    const r = await runCli(['templates', 'apply', dir], { env: bed.env('qontak-hmac', { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }) });
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(summary, 'utf8');
    assert.match(md, /^### wa-cli templates apply `.*ci`$/m);
    assert.match(md, /^\| created \| promo\\_ci \| id \| PENDING \|/m);
  } finally {
    await bed.close();
  }
});
