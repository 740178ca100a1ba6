// A spinner on stderr on a terminal with colour allowed. Off a terminal (cron, CI) the latest text is printed as one
// line every WA_PROGRESS_INTERVAL seconds (default 10), so a long run shows it is alive without flooding the log.
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
  if (ctx.globals.quiet) return silent;
  if (!ctx.stderrIsTTY || noColor || ctx.globals.json) return periodic(ctx, text);
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: ctx.stderr as NodeJS.WritableStream, discardStdin: false }).start();
  return {
    update: (t) => void (s.text = t),
    succeed: (t) => void s.succeed(t),
    fail: (t) => void s.fail(t),
    stop: () => void s.stop(),
  };
}

/** Default seconds between progress lines off a terminal. */
const PROGRESS_INTERVAL_S = 10;

function periodic(ctx: Context, text: string): Spinner {
  const v = Number(ctx.env.WA_PROGRESS_INTERVAL);
  const ms = (Number.isFinite(v) && v > 0 ? v : PROGRESS_INTERVAL_S) * 1000;
  let latest = text;
  const timer = setInterval(() => ctx.stderr.write(`${latest}\n`), ms);
  timer.unref();
  // The outcome is the command's own line (ctx.out), so ending prints nothing here.
  const end = () => clearInterval(timer);
  return { update: (t) => void (latest = t), succeed: end, fail: end, stop: end };
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
