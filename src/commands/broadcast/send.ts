// broadcast send: the flags handed to the send use case (core/broadcast/send.ts) with this context's I/O, and how it
// ended shown (send-view.ts).
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { describeFsError } from '../../cli/fs-error.js';
import { sendBroadcast, type SendDeps } from '../../core/broadcast/send.js';
import { renderSend, sendUi } from './send-view.js';

export async function run(ctx: Context, opts: Options<'send'>): Promise<void> {
  const outcome = await sendBroadcast(sendDeps(ctx), opts, sendUi(ctx));
  await renderSend(ctx, outcome);
}

/** What the use case needs of this context: the profile, the state folder, the clock and the signal. */
function sendDeps(ctx: Context): SendDeps {
  return {
    provider: () => ctx.provider(),
    profile: async () => (await ctx.config()).profile(ctx.profileName),
    profileName: ctx.profileName,
    stateDir: ctx.paths.stateDir,
    cwd: ctx.cwd,
    env: ctx.env,
    now: ctx.now,
    sleep: (ms) => ctx.sleep(ms),
    signal: ctx.signal,
    stopped: (message) => ctx.stopped(message),
    explainFs: (err) => describeFsError(err, ctx.paths, ctx.env),
  };
}
