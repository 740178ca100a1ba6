// CSV bytes are decoded chunk by chunk: wherever the chunks are cut, the text is that of the whole file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCoding, utf8Chunks, type CsvCoding } from '../../../src/core/contacts/csv-decode.js';

const TEXT = 'phone_number,full_name\r\n081234567890,Zoë Ñandú 😀\r\n';
const decode = (chunks: Uint8Array[], coding: CsvCoding): string => Buffer.concat([...utf8Chunks(chunks, coding)]).toString('utf8');
const cuts = (bytes: Buffer): Buffer[][] => {
  const out: Buffer[][] = [[bytes]];
  for (let a = 0; a <= bytes.length; a++) out.push([bytes.subarray(0, a), bytes.subarray(a)]);
  return out;
};

test('each encoding turns into the same UTF-8 wherever the bytes are cut: BOMs, multi-byte and surrogate pairs across chunks', () => {
  const variants: Array<[Buffer, CsvCoding, string]> = [
    [Buffer.from(TEXT), { encoding: 'utf-8', bom: 0 }, TEXT],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), { encoding: 'utf-8', bom: 3 }, TEXT],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), { encoding: 'utf-16le', bom: 2 }, TEXT],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(TEXT, 'utf16le').swap16()]), { encoding: 'utf-16be', bom: 2 }, TEXT],
    [Buffer.from(TEXT, 'utf16le').swap16(), { encoding: 'utf-16be', bom: 0 }, TEXT],
    // 0x80 is the euro sign in Windows-1252 (not a Latin-1 control character).
    [Buffer.from([0x61, 0x2c, 0xe9, 0x80, 0x0a]), { encoding: 'windows-1252', bom: 0 }, 'a,é€\n'],
  ];
  for (const [bytes, coding, want] of variants) {
    assert.deepEqual(csvCoding(bytes.subarray(0, 4), () => [bytes]), coding, coding.encoding);
    for (const chunks of cuts(bytes)) assert.equal(decode(chunks, coding), want, `${coding.encoding} cut at ${chunks[0]!.length}`);
  }
});

test('UTF-8 or the ANSI code page is decided on every byte, not the first chunk', () => {
  const utf8 = Buffer.from(`${'a,b\n'.repeat(1000)}Zoë,x\n`);
  assert.deepEqual(csvCoding(utf8.subarray(0, 4), () => [utf8.subarray(0, 10), utf8.subarray(10)]), { encoding: 'utf-8', bom: 0 });
  const ansi = Buffer.concat([Buffer.from('a,b\n'.repeat(1000)), Buffer.from([0x5a, 0x6f, 0xeb, 0x0a])]);
  assert.deepEqual(csvCoding(ansi.subarray(0, 4), () => [ansi.subarray(0, 10), ansi.subarray(10)]), { encoding: 'windows-1252', bom: 0 });
  // A UTF-8 character cut between two chunks is still valid UTF-8.
  const cut = utf8.indexOf(0xc3) + 1;
  assert.equal(csvCoding(utf8.subarray(0, 4), () => [utf8.subarray(0, cut), utf8.subarray(cut)]).encoding, 'utf-8');
});
