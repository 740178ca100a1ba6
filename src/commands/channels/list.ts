import type { Context } from '../../cli/context.js';

export async function run(ctx: Context): Promise<void> {
  const provider = await ctx.provider();
  const channels = await provider.listChannels();
  await ctx.out.list(channels, [
    { header: 'ID', value: (c) => c.id, id: true },
    { header: 'NAME', value: (c) => c.name },
    { header: 'PHONE', value: (c) => c.phone },
    { header: 'STATUS', value: (c) => c.status },
  ]);
}
