// The one owner of stderr as a terminal: whether it has a usable size, and the one status line (a spinner, a progress
// counter) that other stderr output is written around. A pseudo-terminal nobody sized (`script -qc …`, some CI
// runners) reports 0×0: it is a terminal, but nothing can be redrawn on it, so it is treated as a log.
import type { Writable } from 'node:stream';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Characters of `text` as a terminal shows them, cut to `width` with an ellipsis (code points, not graphemes). */
export function fitLine(text: string, width: number): string {
  const line = text.replace(/[\r\n\t]+/g, ' ');
  const chars = [...line];
  if (chars.length <= width) return line;
  return width <= 1 ? chars.slice(0, Math.max(0, width)).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

export class Terminal {
  private status: string | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly isTTY: boolean,
    private readonly sizeNow: () => TerminalSize,
  ) {}

  get size(): TerminalSize {
    return this.sizeNow();
  }

  /** A terminal something can be redrawn on: rows and columns both known and above 0. */
  get usable(): boolean {
    if (!this.isTTY) return false;
    const { columns, rows } = this.sizeNow();
    return columns > 0 && rows > 0;
  }

  /**
   * Shows `text` as the status line, replacing the last one (cut to the width, so it never wraps). Returns false, and
   * shows nothing, when the terminal has no usable size (any more): the caller falls back to plain lines.
   */
  setStatus(text: string): boolean {
    if (!this.usable) {
      this.clearStatus();
      return false;
    }
    this.status = fitLine(text, this.sizeNow().columns - 1);
    this.stream.write(`\r${this.status}\u001b[K`);
    return true;
  }

  /** Removes the status line, leaving the cursor at the start of an empty line. */
  clearStatus(): void {
    if (this.status === undefined) return;
    this.status = undefined;
    this.stream.write('\r\u001b[K');
  }

  /** Writes a whole line (or lines) to stderr: above the status line when one is shown. */
  write(text: string): void {
    if (this.status === undefined) {
      this.stream.write(text);
      return;
    }
    const status = this.status;
    if (!this.usable) {
      this.status = undefined;
      this.stream.write(`\r\u001b[K${text}`);
      return;
    }
    this.stream.write(`\r\u001b[K${text}${status}\u001b[K`);
  }
}
