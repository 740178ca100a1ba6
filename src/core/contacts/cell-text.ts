import type { Cell } from './types.js';

const SCIENTIFIC = /e[+-]?\d/i;

/** The text a cell stands for in an upload: what Excel shows, except that long integers keep all their digits. */
export function cellText(cell: Cell | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  switch (cell.t) {
    case 's':
      return typeof cell.v === 'string' ? cell.v : String(cell.v);
    case 'n':
      if (cell.w !== undefined && !(SCIENTIFIC.test(cell.w) && Number.isInteger(cell.v))) return cell.w;
      return typeof cell.v === 'number' && Number.isInteger(cell.v) && Math.abs(cell.v) < 1e21
        ? cell.v.toFixed(0)
        : String(cell.v);
    case 'b':
      return cell.w ?? (cell.v ? 'TRUE' : 'FALSE');
    case 'd':
      return cell.w ?? (cell.v instanceof Date ? cell.v.toISOString() : String(cell.v));
    case 'e':
      return cell.w ?? '#ERROR';
    default:
      return '';
  }
}
