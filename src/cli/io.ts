// What the output and the prompts need of a command's world: streams, terminal flags and the global flags. Context
// provides it; nothing here knows the Context itself.
import type { Readable, Writable } from 'node:stream';

export interface GlobalOptions {
  profile: string | undefined;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  yes: boolean;
}

export interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** The terminal's width in characters (tables are fitted to it). */
  readonly columns: number;
  readonly signal: AbortSignal;
  readonly globals: GlobalOptions;
  /** stderr as a terminal: lines written through it go above any progress line. */
  readonly terminal: { write(text: string): void };
}
