// Progress of long work on stderr. On a terminal with a usable size a one-line spinner, redrawn four times a second
// and cut to the width, so it never scrolls. Anywhere else (cron, CI, a pipe, a 0×0 pseudo-terminal, NO_COLOR,
// --json) the latest text is printed as one line every WA_PROGRESS_INTERVAL seconds (default 10), so a long run shows
// it is alive without flooding the log. A spinner stops itself the moment the command is interrupted, and its timer
// never keeps the process alive.
import type { Context } from './context.js';

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

const silent: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

/** At most this many redraws a second: enough to look alive, little enough for a slow SSH link or a log. */
const REDRAW_MS = 250;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function spinner(ctx: Context, text: string): Spinner {
  if (ctx.globals.quiet) return silent;
  const noColor = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  if (noColor || ctx.globals.json || !ctx.terminal.usable) return periodic(ctx, text);
  return animated(ctx, text);
}

function animated(ctx: Context, first: string): Spinner {
  let text = first;
  let frame = 0;
  let fallback: Spinner | undefined;
  const draw = (): void => {
    if (fallback) return;
    if (!ctx.terminal.setStatus(`${FRAMES[frame++ % FRAMES.length]} ${text}`)) {
      // The terminal lost its size: plain lines from here on.
      clearInterval(timer);
      fallback = periodic(ctx, text);
    }
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  const end = (line?: string): void => {
    clearInterval(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    fallback?.stop();
    ctx.terminal.clearStatus();
    if (line !== undefined) ctx.out.info(line);
  };
  // Interrupted: the line goes at once, so the command's last words start on a clean line.
  const onAbort = (): void => end();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  draw();
  return {
    update: (t) => {
      text = t;
      fallback?.update(t);
    },
    succeed: (t) => end(`✔ ${t}`),
    fail: (t) => end(`✖ ${t}`),
    stop: () => end(),
  };
}

/** Default seconds between progress lines off a terminal. */
const PROGRESS_INTERVAL_S = 10;

function periodic(ctx: Context, text: string): Spinner {
  const v = Number(ctx.env.WA_PROGRESS_INTERVAL);
  const ms = (Number.isFinite(v) && v > 0 ? v : PROGRESS_INTERVAL_S) * 1000;
  let latest = text;
  const timer = setInterval(() => ctx.terminal.write(`${latest}\n`), ms);
  timer.unref();
  // The outcome is the command's own line (ctx.out), so ending prints nothing here.
  const end = (): void => {
    clearInterval(timer);
    ctx.signal.removeEventListener('abort', end);
  };
  ctx.signal.addEventListener('abort', end, { once: true });
  return { update: (t) => void (latest = t), succeed: end, fail: end, stop: end };
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A time still to come, rounded up: "ETA 1s" never stands for 1.9 s. */
export function formatRemaining(ms: number): string {
  return formatElapsed(Math.ceil(Math.max(0, ms) / 1000) * 1000);
}
