// One JSON contract for both providers: camelCase objects of one shape per kind, never a provider's raw object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed, type AuthFlavour } from '../helpers/sandbox.js';

const bed = sharedTestBed({ listProcessingMs: 20, konekwaRatePerSecond: 1000, konekwaBurst: 1000 });

/** Every key at every depth is camelCase (no snake_case leaks from a provider). */
function camelOnly(value: unknown, where: string): void {
  if (Array.isArray(value)) return value.forEach((v, i) => camelOnly(v, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assert.ok(!/_/.test(k), `${where}.${k} is not camelCase`);
      // Free-form server text (error messages keyed by the server) is quoted as it came.
      if (k !== 'errorMessages') camelOnly(v, `${where}.${k}`);
    }
  }
}

const json = async (flavour: AuthFlavour, args: string[]) => {
  const r = await runCli(['--json', ...args], { env: bed.env(flavour, { WA_RECONCILE_SETTLE_MS: '50' }) });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

for (const flavour of ['qontak-hmac', 'konekwa'] as const) {
  test(`${flavour}: templates have id, name, language, status, category (null where none), camelCase throughout`, async () => {
    const list = await json(flavour, ['templates', 'list', '--all']);
    assert.ok(list.length > 0);
    for (const t of list) {
      for (const k of ['id', 'name', 'language', 'status', 'category']) assert.ok(k in t, `${k} in ${t.name}`);
      assert.equal('raw' in t, false);
    }
    camelOnly(list, 'templates');
    const one = await json(flavour, ['templates', 'show', list[0].id]);
    assert.deepEqual(Object.keys(one).sort(), Object.keys(list[0]).sort(), 'show and list print one shape');
    if (flavour === 'konekwa') assert.equal(list[0].language, null, 'Konekwa has no languages');
  });

  test(`${flavour}: a send and the broadcast list carry id, name, createdAt and status`, async () => {
    const file = path.join(bed.dir, `${flavour}.csv`);
    writeFileSync(file, 'phone_number,full_name,order_id\n081234567801,Budi,INV-1\n081234567802,Sari,INV-2\n');
    const args =
      flavour === 'konekwa'
        ? ['-y', 'broadcast', 'send', '--template', 'order_update', '--file', file, '--param', 'name=full_name', '--rate', '100/s']
        : ['-y', 'broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', file, '--param', '1=full_name', '--param', '2=order_id'];
    const sent = await json(flavour, args);
    for (const k of ['id', 'name', 'createdAt', 'status']) assert.ok(typeof sent[k] === 'string' && sent[k], `send: ${k}`);
    camelOnly(sent, 'send');
    const listed = (await json(flavour, ['broadcast', 'list'])).find((b: { id: string }) => b.id === sent.id);
    assert.ok(listed, 'the send is listed under its id');
    for (const k of ['id', 'name', 'createdAt', 'status']) assert.ok(k in listed, `list: ${k}`);
    camelOnly(listed, 'list');
    const status = await json(flavour, ['broadcast', 'status', sent.id]);
    for (const k of ['id', 'name', 'createdAt', 'status']) assert.ok(k in status, `status: ${k}`);
    camelOnly(status, 'status');
  });
}
