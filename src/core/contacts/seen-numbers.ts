// The normalised numbers of a sheet seen so far, each with the row it was first seen in: the duplicate check of a
// 100,000-row sheet in two typed arrays (12 bytes a slot, 1.5 MB in all) instead of a Map of strings.
const EMPTY = 0;

export class SeenNumbers {
  private keys = new Float64Array(1 << 12);
  private rows = new Int32Array(1 << 12);
  private size = 0;
  // Anything that is not 1 to 15 digits (never a normalised number, but a key must not be lost to a rounding).
  private readonly other = new Map<string, number>();

  /** The row `phone` was first seen in; undefined the first time, when it is remembered with `row`. */
  firstRow(phone: string, row: number): number | undefined {
    if (!/^[1-9]\d{0,14}$/.test(phone)) {
      const first = this.other.get(phone);
      if (first === undefined) this.other.set(phone, row);
      return first;
    }
    const key = Number(phone);
    if ((this.size + 1) * 5 > this.keys.length * 4) this.grow();
    const at = this.slot(key);
    if (this.keys[at] === key) return this.rows[at];
    this.keys[at] = key;
    this.rows[at] = row;
    this.size++;
    return undefined;
  }

  /**
   * Open addressing with linear probing; the table is kept at most 80% full: near that load a new number takes about
   * 13 probes of one typed array (a half-full table: 2.5), for half the memory of a table kept half full.
   */
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let h = (Math.imul((key % 0x7fffffff) | 0, 0x9e3779b1) ^ Math.floor(key / 0x7fffffff)) & mask;
    while (this.keys[h] !== EMPTY && this.keys[h] !== key) h = (h + 1) & mask;
    return h;
  }

  private grow(): void {
    const keys = this.keys;
    const rows = this.rows;
    this.keys = new Float64Array(keys.length * 2);
    this.rows = new Int32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === EMPTY) continue;
      const at = this.slot(keys[i]!);
      this.keys[at] = keys[i]!;
      this.rows[at] = rows[i]!;
    }
  }
}
