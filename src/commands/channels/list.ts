import type { Context } from '../../cli/context.js';
import { channel } from '../../cli/present/channel.js';

export async function run(ctx: Context): Promise<void> {
  const provider = await ctx.provider();
  const channels = await provider.listChannels();
  await ctx.out.list(
    channels,
    channel.columns(ctx.time),
    channels.map((c) => channel.toJson(c, ctx.time)),
  );
}
