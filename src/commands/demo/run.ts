// wa-cli demo: starts the sandbox in this process and runs the real commands against it, one step at a time.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import type { Context } from '../../cli/context.js';
import { OperationError } from '../../errors.js';
import { sandboxEnv } from '../../sandbox/env.js';
import { packageRoot } from '../../package-info.js';

const DEMO_DIR = fileURLToPath(new URL('fixtures/demo/', packageRoot));

export async function run(ctx: Context): Promise<void> {
  const { startSandbox } = await import('../../sandbox/index.js');
  // Four times real speed: list processing and delivery take seconds, not minutes.
  const sandbox = await startSandbox({ speed: 4, bulkCooldownMs: 0 });
  const home = await mkdtemp(path.join(os.tmpdir(), 'wa-demo-'));
  const started = ctx.now();
  const c = await ctx.out.colors();
  const envs = sandboxEnv(sandbox);
  const base = { HOME: home, WA_CONFIG_DIR: path.join(home, 'config'), WA_STATE_DIR: path.join(home, 'state'), ...(ctx.env.NO_COLOR ? { NO_COLOR: ctx.env.NO_COLOR } : {}) };
  let n = 0;
  const total = 9;

  const step = async (title: string, flavour: keyof typeof envs, args: string[], expect: number[] = [0]): Promise<string> => {
    n++;
    ctx.out.print(`\n${c.bold(`[${n}/${total}] ${title}`)}  ${c.dim(`(${((ctx.now() - started) / 1000).toFixed(1)} s)`)}`);
    ctx.out.print(c.dim(`$ wa-cli ${args.map((a) => (/[\s"']/.test(a) ? `'${a}'` : a)).join(' ')}`));
    const captured = new PassThrough();
    let text = '';
    captured.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      ctx.stdout.write(d);
    });
    const code = await ctx.runCli([...(ctx.globals.color ? [] : ['--no-color']), ...args], {
      stdin: new PassThrough(),
      stdout: captured,
      stderr: ctx.stderr,
      stdoutIsTTY: ctx.stdoutIsTTY,
      stderrIsTTY: ctx.stderrIsTTY,
      terminalSize: () => ctx.terminal.size,
      env: { ...ctx.env, ...base, ...envs[flavour], PATH: ctx.env.PATH },
      cwd: DEMO_DIR,
      signal: ctx.signal,
    });
    if (!expect.includes(code)) throw new OperationError(`demo step ${n} (${title}) ended with exit code ${code}.`);
    if (code !== 0) ctx.out.print(c.dim(`(exit ${code}, as expected)`));
    return text;
  };

  try {
    ctx.out.print(c.bold(`wa-cli demo: a sandboxed Qontak and Konekwa at ${sandbox.url}; nothing here reaches WhatsApp.`));
    await step('Lint the templates before submitting them', 'qontak-hmac', ['templates', 'validate', 'templates']);
    await step('A template Meta would reject, caught locally', 'qontak-hmac', ['templates', 'validate', 'rejected-example.json'], [1]);
    await step('Check the contact spreadsheet cell by cell', 'qontak-hmac', ['contacts', 'validate', 'customers.csv'], [1]);
    const uploaded = await step('Upload the valid rows as a Qontak contact list', 'qontak-hmac', ['--json', 'contacts', 'upload', 'customers.csv', '--name', 'demo-customers', '--skip-invalid']);
    const listId = (JSON.parse(uploaded) as { id: string }[])[0]!.id;
    const sendArgs = ['broadcast', 'send', '--template', 'order_update', '--language', 'id', '--list', listId, '--param', '1=full_name', '--param', '2=order_id'];
    await step('Dry run: exactly what each recipient will read, and the cost', 'qontak-hmac', [...sendArgs, '--dry-run']);
    const sent = await step('Send it (idempotent: the same send twice is refused)', 'qontak-hmac', ['--yes', '--json', ...sendArgs]);
    const broadcastId = (JSON.parse(sent) as { id: string }).id;
    await step('Run the same send again, as a double cron run would', 'qontak-hmac', ['--yes', ...sendArgs], [5]);
    await step('Follow delivery until every message has settled', 'qontak-hmac', ['logs', 'tail', broadcastId, '--follow', '--until-done', '--interval', '1s']);
    await step('The same spreadsheet through Konekwa: a paced, journaled fan-out', 'konekwa', ['--yes', 'broadcast', 'send', '--template', 'order_update', '--file', 'customers.csv', '--skip-invalid', '--param', 'name=full_name', '--param', 'order_id=order_id', '--rate', '5/s']);
    ctx.out.print(`\n${c.bold(`Done in ${((ctx.now() - started) / 1000).toFixed(1)} s.`)} Try it yourself: \`wa-cli sandbox\` prints the variables that point wa-cli at a local sandbox.`);
  } finally {
    await sandbox.close();
    await rm(home, { recursive: true, force: true });
  }
}
