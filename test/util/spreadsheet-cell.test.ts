import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvRow, neutraliseCell } from '../../src/util/spreadsheet-cell.js';

test('csvRow: quotes only the fields that need it, spaces at either end included', () => {
  assert.equal(csvRow(['628123', 'Budi', 'a,b', 'say "hi"', 'two\r\nlines', ' padded', 'end ', '']), '628123,Budi,"a,b","say ""hi""","two\r\nlines"," padded","end ",');
  assert.equal(csvRow([neutraliseCell('=1+1')]), "'=1+1");
});
