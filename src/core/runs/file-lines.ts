// Reading a plan or a journal line by line without holding it: a fan-out of 100,000 recipients reads its plan once per
// round and keeps none of it.
import { open } from 'node:fs/promises';

/**
 * The lines of a file, read only as fast as they are taken: a fan-out takes one per send, so the plan is not read
 * ahead into memory (a read-ahead keeps lines alive long enough to fill the old generation with them). The bytes stay
 * in one Buffer, outside the collected heap, and each line is decoded alone: a decoded chunk would be alive at every
 * young-generation collection of a fan-out and copied by each. A newline byte never falls inside a UTF-8 sequence, so
 * decoding line by line gives what decoding the whole file would. `unterminated: false` leaves out a last piece
 * without its newline (a write cut short).
 */
export async function* fileLines(file: string, opts: { unterminated: boolean } = { unterminated: true }): AsyncGenerator<string> {
  const h = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 14);
    // buf[start, end) holds bytes read and not yet yielded.
    let start = 0;
    let end = 0;
    for (;;) {
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      // A line longer than the buffer: a bigger one.
      if (end === buf.length) buf = Buffer.concat([buf], buf.length * 2);
      const { bytesRead } = await h.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) break;
      end += bytesRead;
      for (let nl = buf.indexOf(10, start); nl !== -1 && nl < end; nl = buf.indexOf(10, start)) {
        const line = buf.toString('utf8', start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl);
        start = nl + 1;
        yield line;
      }
    }
    if (end > start && opts.unterminated) yield buf.toString('utf8', start, end);
  } finally {
    await h.close();
  }
}
