import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAtomic, writeFileAtomic } from '../../src/util/atomic-file.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'wa-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));
const mode = (f: string) => statSync(f).mode & 0o777;

test('atomic file: an aborted write leaves the old file; a committed one appears whole, 0600', async () => {
  const dir = path.join(root, 'atomic');
  const file = path.join(dir, 'x.txt');
  await writeFileAtomic(file, 'one');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const w = await openAtomic(file);
  await w.write('two, part 1');
  assert.equal(readFileSync(file, 'utf8'), 'one', 'not visible before commit');
  await w.abort();
  assert.equal(readFileSync(file, 'utf8'), 'one');
  const w2 = await openAtomic(file);
  await w2.write('three');
  await w2.write(' whole');
  await w2.commit();
  assert.equal(readFileSync(file, 'utf8'), 'three whole');
  assert.equal(mode(file), 0o600);
  assert.deepEqual(readdirSync(dir), ['x.txt']);
});
