import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { writeTable } from '../../src/util/table-file.js';

test('writeTable streams a CSV of many blocks, and a source failing at the first row or half way leaves the old file and no other', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-table-'));
  const out = path.join(dir, 'preview.csv');
  const rows = function* (n: number, failAt = -1) {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error(`row ${i} could not be read`);
      yield [String(i), `0812${String(i).padStart(8, '0')}`, i % 1000 === 0 ? `=cmd|${i}` : `Pelanggan ${i}`];
    }
  };
  // About 40 bytes a row: 20,000 rows are a dozen 64 KB blocks.
  assert.equal(await writeTable(['row', 'phone', 'name'], rows(20_000), out), 20_000);
  const lines = readFileSync(out, 'utf8').split('\r\n');
  assert.equal(lines[0], '\uFEFFrow,phone,name');
  assert.equal(lines.length, 20_002, 'header, rows, and the empty piece after the last CRLF');
  assert.equal(lines[1 + 19_999], '19999,081200019999,Pelanggan 19999');
  assert.equal(lines[1 + 5000], "5000,081200005000,'=cmd|5000");
  writeFileSync(out, 'kept\n');
  for (const failAt of [0, 15_000]) {
    await assert.rejects(writeTable(['row', 'phone', 'name'], rows(20_000, failAt), out), new RegExp(`row ${failAt} could not be read`));
    assert.equal(readFileSync(out, 'utf8'), 'kept\n', `failing at row ${failAt}`);
    assert.deepEqual(readdirSync(dir), ['preview.csv'], 'no temporary file left');
  }
});
