import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { sandboxEnv } from '../../sandbox/env.js';
import { sandboxJson } from '../../cli/present/sandbox.js';

export async function run(ctx: Context, opts: Options): Promise<void> {
  const { startSandbox } = await import('../../sandbox/index.js');
  const sandbox = await startSandbox({ port: opts.port ?? 0, recorded: true });
  const profiles = sandboxEnv(sandbox);
  if (ctx.globals.json) ctx.out.jsonLine(sandboxJson(sandbox.url, profiles));
  else {
    ctx.out.print(`Sandbox listening on ${sandbox.url} (Ctrl-C to stop). Nothing here reaches WhatsApp.`);
    for (const [name, env] of Object.entries(profiles)) {
      ctx.out.print(`\n# ${name}`);
      for (const [k, v] of Object.entries(env)) ctx.out.print(`export ${k}=${v}`);
    }
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  ctx.out.info('Sandbox stopped.');
}
