// Prompts are bound to the context's streams and refuse to run without a terminal: a cron job must never hang on a
// question nobody will answer. The refusal names the flag that answers it instead.
// Ctrl-C at a question ends the command with exit 130 and one calm line; end of input (Ctrl-D, a closed pipe) is
// "no" to a confirmation and no answer to anything else.
import { Writable } from 'node:stream';
import { InterruptedError, OperationError, UsageError } from '../errors.js';
import type { Io } from './io.js';

export interface AskOptions {
  /** The flag that gives the answer without a prompt, named in the error when there is no terminal. */
  flag: string;
}

/** Input ended before the question was answered. */
const ENDED = Symbol('ended');

export class Prompter {
  constructor(private readonly ctx: Io) {}

  get canPrompt(): boolean {
    return this.ctx.stdinIsTTY && this.ctx.stderrIsTTY;
  }

  private require(opts: AskOptions, what: string): void {
    if (!this.canPrompt) {
      throw new UsageError(`${what} needs an answer, and there is no terminal to ask on; pass ${opts.flag}.`);
    }
  }

  /**
   * Runs one inquirer prompt on the context's streams. Inquirer leaves a prompt pending forever when its input ends
   * (the process then exits 0 as if all went well), so the end of input is watched here and settles the question.
   */
  private async ask<T>(run: (context: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal: AbortSignal }) => Promise<T>): Promise<T | typeof ENDED> {
    const own = new AbortController();
    const signal = AbortSignal.any([this.ctx.signal, own.signal]);
    const input = this.ctx.stdin;
    let ended = false;
    // 'end': the stream is done; 'pause': readline let go of it after Ctrl-D on an empty line.
    const onEnd = (): void => {
      ended = true;
      own.abort();
    };
    input.once('end', onEnd);
    input.once('pause', onEnd);
    // Inquirer ends its output when done; the command still writes to stderr afterwards.
    const target = this.ctx.stderr;
    const output = new Writable({ write: (chunk, encoding, cb) => void target.write(chunk, encoding, cb) });
    try {
      return await run({ input, output, signal });
    } catch (err) {
      if (this.ctx.signal.aborted || (err instanceof Error && err.name === 'ExitPromptError')) {
        this.ctx.stderr.write('\n');
        throw new InterruptedError('Interrupted at the question; nothing was done.');
      }
      if (ended) return ENDED;
      throw err;
    } finally {
      input.off('end', onEnd);
      input.off('pause', onEnd);
    }
  }

  private static noAnswer(message: string): OperationError {
    return new OperationError(`No answer to "${message}": the input ended.`);
  }

  async confirm(message: string, opts: AskOptions): Promise<boolean> {
    if (this.ctx.globals.yes) return true;
    this.require(opts, 'Confirmation');
    const { confirm } = await import('@inquirer/prompts');
    const answer = await this.ask((c) => confirm({ message, default: false }, c));
    if (answer === ENDED) {
      this.ctx.stderr.write('\n');
      return false;
    }
    return answer;
  }

  /** An empty answer asks again unless `optional` (or a default fills it). */
  async input(message: string, opts: AskOptions & { default?: string; optional?: boolean }): Promise<string> {
    this.require(opts, `"${message}"`);
    const { input } = await import('@inquirer/prompts');
    const answer = await this.ask((c) => input({ message, required: opts.optional !== true, ...(opts.default === undefined ? {} : { default: opts.default }) }, c));
    if (answer === ENDED) throw Prompter.noAnswer(message);
    return answer;
  }

  /** An empty answer is accepted unless `required` (some secrets may be left empty on purpose). */
  async secret(message: string, opts: AskOptions & { required?: boolean }): Promise<string> {
    this.require(opts, `"${message}"`);
    const { password } = await import('@inquirer/prompts');
    const validate = opts.required ? (v: string) => v !== '' || 'An answer is needed.' : undefined;
    const answer = await this.ask((c) => password({ message, mask: '*', ...(validate ? { validate } : {}) }, c));
    if (answer === ENDED) throw Prompter.noAnswer(message);
    return answer;
  }

  async select<T extends string>(message: string, choices: readonly { name: string; value: T }[], opts: AskOptions): Promise<T> {
    this.require(opts, `"${message}"`);
    const { select } = await import('@inquirer/prompts');
    const answer = await this.ask((c) => select<T>({ message, choices: choices.map((c) => ({ name: c.name, value: c.value })) }, c));
    if (answer === ENDED) throw Prompter.noAnswer(message);
    return answer;
  }
}
