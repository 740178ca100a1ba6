// A spinner on stderr, only on a terminal and only with colour allowed; elsewhere it is silent so cron logs stay clean.
import type { Context } from './context.js';

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

const silent: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

export async function spinner(ctx: Context, text: string): Promise<Spinner> {
  const noColor = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  if (!ctx.stderrIsTTY || noColor || ctx.globals.quiet || ctx.globals.json) return silent;
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: ctx.stderr as NodeJS.WritableStream, discardStdin: false }).start();
  return {
    update: (t) => void (s.text = t),
    succeed: (t) => void s.succeed(t),
    fail: (t) => void s.fail(t),
    stop: () => void s.stop(),
  };
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
