// Prompts are bound to the context's streams and refuse to run without a terminal: a cron job must never hang on a
// question nobody will answer. The refusal names the flag that answers it instead.
import { UsageError } from '../errors.js';
import type { Io } from './io.js';

export interface AskOptions {
  /** The flag that gives the answer without a prompt, named in the error when there is no terminal. */
  flag: string;
}

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

  private async streams(): Promise<{ input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal: AbortSignal }> {
    return { input: this.ctx.stdin, output: this.ctx.stderr, signal: this.ctx.signal };
  }

  async confirm(message: string, opts: AskOptions): Promise<boolean> {
    if (this.ctx.globals.yes) return true;
    this.require(opts, 'Confirmation');
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false }, await this.streams());
  }

  async input(message: string, opts: AskOptions & { default?: string }): Promise<string> {
    this.require(opts, `"${message}"`);
    const { input } = await import('@inquirer/prompts');
    return input({ message, ...(opts.default === undefined ? {} : { default: opts.default }) }, await this.streams());
  }

  async secret(message: string, opts: AskOptions): Promise<string> {
    this.require(opts, `"${message}"`);
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: '*' }, await this.streams());
  }

  async select<T extends string>(message: string, choices: readonly { name: string; value: T }[], opts: AskOptions): Promise<T> {
    this.require(opts, `"${message}"`);
    const { select } = await import('@inquirer/prompts');
    return select<T>({ message, choices: choices.map((c) => ({ name: c.name, value: c.value })) }, await this.streams());
  }
}
