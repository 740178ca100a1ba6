// A zip whose one part inflates to `inflated` bytes of zeros from a few kilobytes, written without ever holding the
// inflated bytes: for the size-cap test and the contacts bench. `declared` is the size the headers claim.
import { deflateRawSync } from 'node:zlib';

export function zipBomb(inflated: number, opts: { declared?: number; name?: string } = {}): Buffer {
  const block = 1 << 20;
  // Deflate of 1 MiB of zeros, repeated: each copy is a complete run of blocks without the final bit, so concatenated
  // they make one stream; a final empty stored block ends it.
  const piece = deflateRawSync(Buffer.alloc(block), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  const pieces: Buffer[] = [];
  for (let n = 0; n < inflated; n += block) pieces.push(piece);
  pieces.push(Buffer.from([0x03, 0x00]));
  const data = Buffer.concat(pieces);
  const name = Buffer.from(opts.name ?? 'xl/worksheets/sheet1.xml');
  const declared = opts.declared ?? Math.min(inflated, 0xffffffff);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const cdStart = 30 + name.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(cdStart, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}
