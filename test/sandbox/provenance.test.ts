// Every field the sandbox's Qontak answers carry must appear in a recording (fixtures/api/qontak-recorded) or in the
// short list of documented fields below (each with its source); src/sandbox/PROVENANCE.md says where each comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startSandbox } from '../../src/sandbox/index.js';
import { recordedDir } from '../helpers/paths.js';
import { clients } from './client.js';

// Objects whose keys are data, not fields (variables, counts by status, per-status webhooks, rows).
const OPEN = new Set(['extra', 'contact_extra', 'error_messages', 'parameters', 'messages_response', 'messages', 'settings', 'example']);

function paths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) paths(x, `${prefix}[]`, out);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    if (!OPEN.has(k)) paths(x, p, out);
  }
}

// Documented, not recorded: the notes' response examples (character offsets in seeds/qontak-omnichannel-api-notes.txt).
const DOCUMENTED = ['meta.pagination.cursor.pit' /* recorded broadcasts meta */];

test('the sandbox returns no Qontak field that no recording or document shows', async () => {
  const allowed = new Set<string>(DOCUMENTED);
  for (const f of readdirSync(recordedDir)) {
    const rec = JSON.parse(readFileSync(`${recordedDir}/${f}`, 'utf8')) as { body?: unknown };
    if (rec.body !== undefined) paths(rec.body, '', allowed);
  }
  // The success envelope of a single object is the same whichever endpoint: compare data fields by their last names.
  const leaf = (p: string) => p.replace(/^data(\[\])?\./, '');
  const allowedLeaves = new Set([...allowed].map(leaf));
  let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
  const sb = await startSandbox({ now: () => clock, seed: 3, speed: 100 });
  try {
    const c = clients(sb, () => clock);
    const csv = 'phone_number,full_name,order_id\r\n6281234567890,Budi,A-1\r\nxx,Sari,A-2\r\n';
    const listId = (await c.upload({ name: 'p', source_type: 'spreadsheet' }, { name: 'p.csv', data: csv })).body.data.id;
    clock += 5000;
    const b = sb.state.seedBroadcast({ recipients: 30, startAtMs: clock - 60_000 });
    const t = sb.state.templates.find((x) => x.header?.format === 'IMAGE')!;
    const answers: [string, unknown][] = [];
    for (const path of ['/integrations', `/integrations/${sb.state.integrations[0]!.id}`, '/templates/whatsapp?limit=100', `/templates/${t.id}/whatsapp`, '/contacts/contact_lists', `/contacts/contact_lists/${listId}`, `/contacts/contact_lists/contacts/${listId}`, '/broadcasts/whatsapp', `/broadcasts/${b.id}/whatsapp`, `/broadcasts/${b.id}/whatsapp/log`]) {
      answers.push([path, (await c.q('GET', path)).body]);
    }
    const unexplained: string[] = [];
    for (const [path, body] of answers) {
      const got = new Set<string>();
      paths(body, '', got);
      for (const p of got) if (!allowed.has(p) && !allowedLeaves.has(leaf(p))) unexplained.push(`${path}: ${p}`);
    }
    assert.deepEqual(unexplained, [], 'fields with no source: add the recording or document to PROVENANCE.md and here, or drop the field');
  } finally {
    await sb.close();
  }
});
