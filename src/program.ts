// The commander tree: every command, flag and help example in one place. A verb's code is imported only when that
// verb runs, so `wa-cli --help` loads commander and little else.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { Context } from './cli/context.js';
import { collect, durationOption, examples, lazyAction, MIN_POLL_INTERVAL_MS, oneOfUpper, positiveInt } from './cli/command-kit.js';
import { packageVersion } from './package-info.js';

function registerAuth(program: Command, ctx: Context, wanted: Wanted): void {
  const auth = program.command('auth').description('log in, check and remove credentials');
  if (!wanted('auth')) return;
  auth
    .command('login')
    .description('store credentials for a profile in the OS keychain (non-secret settings go to the config file)')
    .addOption(new Option('--provider <name>', 'API to use').choices(['qontak', 'konekwa']))
    .addOption(new Option('--method <method>', 'auth method (qontak: hmac or oauth; konekwa: api-key)').choices(['hmac', 'oauth', 'api-key']))
    .option('--client-id <id>', 'Mekari HMAC client id, or the Qontak OAuth client id')
    .option('--base-url <url>', 'API base URL (defaults: https://api.mekari.com, https://service-chat.qontak.com, http://localhost:8080)')
    .option('--with-secret', 'read the secret (client secret, access token or API key) from standard input')
    .option('--insecure-storage', 'store secrets in a 0600 file instead of the OS keychain')
    .option('--no-verify', 'store without the live check')
    .addHelpText(
      'after',
      examples(
        'wa-cli auth login',
        'printf %s "$SECRET" | wa-cli auth login --provider qontak --client-id abc123 --with-secret',
        'wa-cli -p gateway auth login --provider konekwa --base-url https://wa.example.com --with-secret < key.txt',
      ),
    )
    .action(lazyAction(ctx, () => import('./commands/auth/login.js')));
  auth
    .command('status')
    .description('show the profile, provider, base URL, where each credential comes from, and a live check')
    .option('--offline', 'skip the live check')
    .addHelpText('after', examples('wa-cli auth status', 'MEKARI_API_CLIENT_ID=… MEKARI_API_CLIENT_SECRET=… wa-cli auth status --json'))
    .action(lazyAction(ctx, () => import('./commands/auth/status.js')));
  auth
    .command('logout')
    .description("remove the profile's secrets from the keychain (and the 0600 file) and its settings")
    .addHelpText('after', examples('wa-cli auth logout', 'wa-cli -p staging auth logout'))
    .action(lazyAction(ctx, () => import('./commands/auth/logout.js')));
}

function registerChannels(program: Command, ctx: Context, wanted: Wanted): void {
  const channels = program.command('channels').description('WhatsApp channels: Qontak integrations, Konekwa sessions');
  if (!wanted('channels')) return;
  channels
    .command('list')
    .description('list the channels messages can go out through (the id is what --channel takes)')
    .addHelpText('after', examples('wa-cli channels list', 'wa-cli channels list --json | jq -r ".[0].id"'))
    .action(lazyAction(ctx, () => import('./commands/channels/list.js')));
}

function registerTemplates(program: Command, ctx: Context, wanted: Wanted): void {
  const templates = program.command('templates').description('WhatsApp templates: list, show, lint locally, create, wait for review, plan and apply a folder');
  if (!wanted('templates')) return;
  templates
    .command('list')
    .description('templates on the account')
    // Meta's template statuses, which Qontak relays.
    .option('--status <status>', 'APPROVED, PENDING, REJECTED, IN_APPEAL, PAUSED, DISABLED…', oneOfUpper('--status', ['APPROVED', 'PENDING', 'REJECTED', 'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'DISABLED', 'PAUSED', 'LIMIT_EXCEEDED']))
    .option('--category <category>', 'MARKETING, UTILITY, AUTHENTICATION')
    .option('--query <text>', 'name contains')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--all', 'every template, following all pages')
    .addHelpText('after', examples('wa-cli templates list --status APPROVED', 'wa-cli templates list --all --json > templates.json'))
    .action(lazyAction(ctx, () => import('./commands/templates/list.js')));
  templates
    .command('show')
    .description('a template as the recipient sees it, with its status and placeholders')
    .argument('<name|id>')
    .option('--language <code>', 'which language, when the name exists in several')
    .addHelpText('after', examples('wa-cli templates show order_update --language id'))
    .action(lazyAction(ctx, () => import('./commands/templates/show.js')));
  templates
    .command('validate')
    .description('check templates against every WhatsApp and Qontak rule, locally; exit 1 on any error')
    .argument('[paths...]', 'JSON files, folders (searched for *.json), or - for standard input')
    .option('--remote', 'check every template on the account')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'github']).default('text'))
    .addHelpText(
      'after',
      examples('wa-cli templates validate templates/', 'wa-cli templates validate promo.json --format github', 'wa-cli templates validate --remote --json'),
    )
    .action(lazyAction(ctx, () => import('./commands/templates/validate.js')));
  templates
    .command('create')
    .description('validate a template file, then submit it for review; refuses on errors')
    .argument('<file>', 'a Meta/Qontak create JSON, or a Konekwa {name, content}')
    .option('--dry-run', 'validate and show what would be submitted')
    .option('--wait', 'wait for the review: exit 0 approved, 1 rejected (with the reason), 6 still pending at --timeout')
    .addOption(durationOption('--timeout <duration>', 'with --wait: how long to wait', 3_600_000))
    .addOption(durationOption('--interval <duration>', 'with --wait: time between checks', 30_000, MIN_POLL_INTERVAL_MS))
    .addHelpText('after', examples('wa-cli templates create promo_nov.json --dry-run', 'wa-cli templates create promo_nov.json', 'wa-cli templates create promo_nov.json --wait --timeout 2h'))
    .action(lazyAction(ctx, () => import('./commands/templates/create.js')));
  templates
    .command('wait')
    .description('wait for a submitted template\'s review to end: exit 0 approved, 1 rejected (with the reason), 6 still pending at --timeout')
    .argument('<name|id>')
    .option('--language <code>', 'which language, when the name exists in several')
    .addOption(durationOption('--timeout <duration>', 'how long to wait', 3_600_000))
    .addOption(durationOption('--interval <duration>', 'time between checks', 30_000, MIN_POLL_INTERVAL_MS))
    .addHelpText('after', examples('wa-cli templates wait order_update --language id --timeout 2h  # e.g. a CI retry after create --wait timed out'))
    .action(lazyAction(ctx, () => import('./commands/templates/wait.js')));
  templates
    .command('plan')
    .description('templates as code: compare the template files in a folder with the account by name and language (create, same, differs, rejected)')
    .argument('<dir>', 'a folder of template files (searched for *.json), or one file')
    .option('--check', 'exit 1 when anything would be created, differs or was rejected: a CI gate')
    .addHelpText('after', examples('wa-cli templates plan templates/', 'wa-cli templates plan templates/ --check', 'wa-cli templates plan templates/ --json | jq ".counts"'))
    .action(lazyAction(ctx, () => import('./commands/templates/plan.js')));
  templates
    .command('apply')
    .description('create on the account every template of a folder that plan lists as create; never edits or deletes; safe to run again')
    .argument('<dir>', 'a folder of template files (searched for *.json), or one file')
    .option('--dry-run', 'show what would be created; create nothing')
    .option('--wait', 'then wait for every review together: exit 0 all approved, 1 any rejected, 6 any still pending at --timeout')
    .addOption(durationOption('--timeout <duration>', 'with --wait: how long to wait', 3_600_000))
    .addOption(durationOption('--interval <duration>', 'with --wait: time between checks', 30_000, MIN_POLL_INTERVAL_MS))
    .addHelpText('after', examples('wa-cli templates apply templates/ --dry-run', 'wa-cli templates apply templates/', 'wa-cli templates apply templates/ --wait --timeout 2h'))
    .action(lazyAction(ctx, () => import('./commands/templates/apply.js')));
}

const country = () => new Option('--country <code>', 'country for numbers written without one (ISO code; default: profile, else ID)');
const sheet = () => new Option('--sheet <name>', 'sheet to read (default: the first)');

function registerContacts(program: Command, ctx: Context, wanted: Wanted): void {
  const contacts = program.command('contacts').description('contact-list spreadsheets: validate, normalise, upload, list');
  if (!wanted('contacts')) return;
  contacts
    .command('validate')
    .description('check a spreadsheet (.xlsx, .xls, .csv) row by row; --out writes the cleaned file')
    .argument('<file>', 'spreadsheet to check')
    .addOption(country())
    .addOption(sheet())
    .option('--out <file>', 'write the valid rows, normalised, to this .xlsx or .csv')
    .addHelpText('after', examples('wa-cli contacts validate customers.xlsx', 'wa-cli contacts validate export.csv --out clean.csv', 'wa-cli contacts validate list.xlsx --json | jq .problems'))
    .action(lazyAction(ctx, () => import('./commands/contacts/validate.js')));
  contacts
    .command('upload')
    .description('validate, then upload as a Qontak contact list and wait until it is processed')
    .argument('<file>', 'spreadsheet to upload')
    .requiredOption('--name <name>', 'name of the new contact list')
    .addOption(country())
    .addOption(sheet())
    .option('--skip-invalid', 'upload the valid rows and report the rest, instead of refusing')
    .option('--split', 'split a list larger than one upload allows into numbered lists')
    .option('--no-wait', 'print the list id and return without waiting for processing')
    .addOption(durationOption('--timeout <duration>', 'how long to wait for processing', 600_000))
    .option('--dry-run', 'do everything but the upload')
    .addHelpText('after', examples('wa-cli contacts upload customers.xlsx --name nov-promo', 'wa-cli contacts upload big.csv --name q4 --split --timeout 20m'))
    .action(lazyAction(ctx, () => import('./commands/contacts/upload.js')));
  contacts
    .command('lists')
    .description('list the contact lists on the account (Qontak)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--all', 'every list, following all pages')
    .addHelpText('after', examples('wa-cli contacts lists', 'wa-cli contacts lists --all --json'))
    .action(lazyAction(ctx, () => import('./commands/contacts/lists.js')));
  contacts
    .command('show')
    .description('show one contact list: progress, counts, variables, errors')
    .argument('<list-id>')
    .addHelpText('after', examples('wa-cli contacts show 534bd3d4-5395-46a9-bfbb-353f3a7721be'))
    .action(lazyAction(ctx, () => import('./commands/contacts/show.js')));
}

function rate(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError('--rate takes messages per second, e.g. 2/s or 0.5');
  return Number(m[1]);
}

function registerBroadcast(program: Command, ctx: Context, wanted: Wanted): void {
  const broadcast = program.command('broadcast').description('send a template to a list, a spreadsheet or one number; follow what was sent');
  if (!wanted('broadcast')) return;
  broadcast
    .command('send')
    .description('send a template, after checking every recipient; never twice for the same idempotency key')
    .option('--template <name|id>', 'approved template to send (required unless --resume)')
    .option('--list <id>', 'a Qontak contact list')
    .option('--file <sheet>', 'a spreadsheet of contacts (.xlsx, .xls, .csv)')
    .option('--to <phone>', 'one number')
    .option('--to-name <name>', 'the name of --to (full_name)')
    .option('--channel <id[,id…]>', 'channel (Qontak integration or Konekwa session); Konekwa: several sessions, comma-separated, share a fan-out, each at --rate; default: the profile\'s, else the only one')
    .option('--param <KEY=COLUMN|KEY=:text>', 'value of a placeholder: a column, or literal text after a colon (repeatable)', collect, [])
    .option('--media <url|file>', 'the media of a template with an IMAGE, VIDEO or DOCUMENT header (a local file is uploaded first)')
    .option('--media-filename <name>', 'the file name a DOCUMENT header shows (default: from the URL or file)')
    .option('--button <INDEX=COLUMN|INDEX=:text>', 'value of a dynamic URL button: a column, or literal text after a colon (repeatable)', collect, [])
    .option('--language <code>', 'template language when the name exists in several')
    .option('--name <name>', 'broadcast name (default: template and date)')
    .option('--schedule <iso8601>', 'send later (Qontak list sends), e.g. 2026-12-01T09:00:00+07:00')
    .option('--idempotency-key <key>', 'refuse to send twice with this key (default: derived from template, target and parameters)')
    .option('--release-unknown', 'Qontak: a send of this key left unknown and still not on the account after 5 minutes: release the key and send')
    .option('--dry-run', 'check and show what would be sent; send nothing')
    .option('--skip-invalid', 'send to the valid recipients and report the invalid ones, instead of refusing')
    .addOption(new Option('--rate <n/s>', 'messages per second for a fan-out (Konekwa)').argParser(rate))
    .option('--concurrency <n>', 'requests in flight at once for a fan-out', positiveInt('--concurrency'))
    .option('--resume <id>', 'continue an interrupted fan-out from its journal')
    .option('--move-session <FROM=TO>', 'with --resume: send the unfinished share of session FROM through TO (repeatable)', collect, [])
    .addOption(durationOption('--settle <duration>', "Konekwa: how long a message whose answer was lost may take to show in the server's listing before it counts as not sent and is sent again", 60_000))
    .addOption(durationOption('--dedupe-window <duration>', 'Konekwa: a run with no local record first leaves out whoever got the identical text within this long; 0 sends a deliberate repeat', 6 * 3_600_000))
    .option('--no-wait', 'Konekwa: end (exit 6) instead of waiting for messages in doubt to settle; the same command settles them later')
    .option('--country <code>', 'country for numbers without one (default: profile, else ID)')
    .option('--sheet <name>', 'sheet of --file to read')
    .option('--shard <I/N|auto>', 'send only the I-th of N slices of the recipients (by a hash of the number); each shard has its own key. auto: I from JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job), N from WA_SHARD_COUNT or auto/N')
    .option('--ignore-quiet-hours', "send a marketing template inside the profile's quiet hours")
    .option('--out <file>', 'with --dry-run: write every recipient\'s message to this .csv or .xlsx')
    .addHelpText(
      'after',
      examples(
        'wa-cli broadcast send --template order_update --language id --file orders.xlsx --param 1=full_name --param 2=order_id --dry-run',
        'wa-cli broadcast send --template welcome_member --language id --list 534bd3d4-5395-46a9-bfbb-353f3a7721be --param 1=customer_name --yes',
        'wa-cli broadcast send --template promo_nov --language id --file customers.xlsx --param 1=full_name --param 2=:20% --dry-run  # literal text after a colon',
        'wa-cli broadcast send --template welcome_member --language id --to 0812-3456-7890 --to-name Budi --param 1=full_name --yes',
        'wa-cli broadcast send --resume 20261122-abcd1234 --yes',
        'wa-cli broadcast send --template promo_nov --file customers.xlsx --param name=full_name --channel ses_main01,ses_backup --rate 1/s --yes',
        'wa-cli broadcast send --resume 20261122-abcd1234 --move-session ses_backup=ses_main01 --yes',
        'wa-cli broadcast send --template order_update --language id --file customers.xlsx --param 1=full_name --param 2=kode_promo --dry-run --out preview.xlsx',
        'wa-cli broadcast send --template promo_nov --language id --file customers.xlsx --param 1=full_name --param 2=kode_promo --shard 1/2 --dry-run',
        'JOB_COMPLETION_INDEX=0 WA_SHARD_COUNT=2 wa-cli broadcast send --template promo_nov --language id --file customers.xlsx --param 1=full_name --param 2=kode_promo --shard auto --dry-run  # as a Kubernetes Indexed Job pod',
        'wa-cli broadcast send --template promo_nov --language id --file customers.xlsx --param 1=full_name --param 2=kode_promo --ignore-quiet-hours --yes',
        'wa-cli broadcast send --template welcome_member --language id --list 534bd3d4-5395-46a9-bfbb-353f3a7721be --param 1=customer_name --idempotency-key welcome-2026-11 --release-unknown --yes  # after an unknown outcome the account did not confirm',
        'wa-cli -p gateway broadcast send --template promo_nov --file customers.xlsx --param name=full_name --param "company=:Toko Maju" --settle 2m --dedupe-window 12h --no-wait --yes  # Konekwa, from cron',
      ),
    )
    .action(lazyAction(ctx, () => import('./commands/broadcast/send.js')));
  broadcast
    .command('status')
    .description('counts per delivery status of one broadcast, with failure reasons')
    .argument('[id]', 'broadcast id (Qontak) or run id (Konekwa fan-out)')
    .option('--journal <path>', 'a fan-out run folder (e.g. copied from each shard\'s machine) instead of an id: each run\'s journal counted and summed (repeatable)', collect, [])
    .addHelpText('after', examples('wa-cli broadcast status 98b463bc-a8f1-4f19-84df-ae62967ff795', 'wa-cli broadcast status 20261122-abcd1234 --json', 'wa-cli broadcast status --journal shard-1/20261122-abcd1234 --journal shard-2/20261122-ef567890'))
    .action(lazyAction(ctx, () => import('./commands/broadcast/status.js')));
  broadcast
    .command('report')
    .description('write one self-contained HTML page: the delivery funnel, delivery over time, failures by reason and the numbers')
    .argument('<id>', 'broadcast id (Qontak) or run id (Konekwa fan-out)')
    .requiredOption('--out <file>', 'FILE.html')
    .addHelpText('after', examples('wa-cli broadcast report 98b463bc-a8f1-4f19-84df-ae62967ff795 --out report.html', 'wa-cli broadcast report 20261122-abcd1234 --out run.html'))
    .action(lazyAction(ctx, () => import('./commands/broadcast/report.js')));
  broadcast
    .command('list')
    .description('recent broadcasts (Qontak), or the local fan-out runs (Konekwa)')
    .option('--since <date>', 'only those created since this date (YYYY-MM-DD or ISO 8601)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 20)
    .addHelpText('after', examples('wa-cli broadcast list', 'wa-cli broadcast list --since 2026-11-01 --json'))
    .action(lazyAction(ctx, () => import('./commands/broadcast/list.js')));
}

function registerOptout(program: Command, ctx: Context, wanted: Wanted): void {
  const optout = program.command('optout').description("the profile's opt-out list: numbers no send reaches (dry runs included)");
  if (!wanted('optout')) return;
  optout
    .command('add')
    .description('opt numbers out (normalised like a spreadsheet\'s; one already listed keeps its date and reason)')
    .argument('<phone...>')
    .option('--reason <text>', 'why, kept with the number')
    .addOption(country())
    .addHelpText('after', examples('wa-cli optout add 0812-3456-7890 --reason "asked by phone"', 'wa-cli optout add +6281234567890 6285712345678'))
    .action(lazyAction(ctx, () => import('./commands/optout/add.js')));
  optout
    .command('remove')
    .description('take numbers off the list (exit 3 if one was not on it)')
    .argument('<phone...>')
    .addOption(country())
    .addHelpText('after', examples('wa-cli optout remove 0812-3456-7890'))
    .action(lazyAction(ctx, () => import('./commands/optout/remove.js')));
  optout
    .command('list')
    .description('every opted-out number with when, how and why')
    .addHelpText('after', examples('wa-cli optout list', 'wa-cli optout list --json | jq -r ".entries[].phone"'))
    .action(lazyAction(ctx, () => import('./commands/optout/list.js')));
  optout
    .command('import')
    .description('add every number of a sheet (.csv, .xlsx, .xls) with a phone_number column and an optional reason column')
    .argument('<file>')
    .option('--reason <text>', 'reason for rows without one')
    .addOption(country())
    .option('--skip-invalid', 'import the readable numbers and name each row left out, instead of refusing the file')
    .addHelpText('after', examples('wa-cli optout import unsubscribed.csv', 'wa-cli optout import crm-export.xlsx --reason "CRM opt-out" --skip-invalid'))
    .action(lazyAction(ctx, () => import('./commands/optout/import.js')));
  optout
    .command('export')
    .description('write the list as CSV (standard output) or to a .csv or .xlsx file; import reads it back')
    .option('--out <file>', 'FILE.csv or FILE.xlsx')
    .addHelpText('after', examples('wa-cli optout export --out optouts.xlsx', 'wa-cli -p staging optout export > optouts.csv'))
    .action(lazyAction(ctx, () => import('./commands/optout/export.js')));
  optout
    .command('sync')
    .description('Konekwa: opt out everyone whose reply is a stop word (profile stopWords; default STOP, BERHENTI, UNSUBSCRIBE), from where the last sync got to')
    .addHelpText('after', examples('wa-cli optout sync', 'wa-cli -p gateway -q optout sync  # from cron, e.g. */10 * * * *'))
    .action(lazyAction(ctx, () => import('./commands/optout/sync.js')));
}

function registerLogs(program: Command, ctx: Context, wanted: Wanted): void {
  const logs = program.command('logs').description("a broadcast's delivery log: tail, follow, export");
  if (!wanted('logs')) return;
  logs
    .command('tail')
    .description('print the delivery log, one line per recipient; --follow prints each change as it happens')
    .argument('<broadcast-id>', 'Qontak broadcast id, or the run id of a Konekwa fan-out')
    .option('--follow', 'keep polling and print each new entry and status change once')
    .addOption(durationOption('--interval <duration>', 'polling interval while following (backs off while nothing changes, waits as long as the server asks)', 5000, MIN_POLL_INTERVAL_MS))
    .option('--status <list>', 'only these statuses, e.g. failed,read')
    .option('--until-done', 'stop following when the broadcast is done and nothing is pending')
    .option('--fail-on-failed', 'exit 1 if any entry failed')
    .addHelpText(
      'after',
      examples('wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795', 'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795 --follow --until-done --fail-on-failed', 'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795 --status failed --json'),
    )
    .action(lazyAction(ctx, () => import('./commands/logs/tail.js')));
  logs
    .command('export')
    .description('write every entry of the log to a CSV or XLSX file')
    .argument('<broadcast-id>')
    .requiredOption('--out <file>', 'FILE.csv or FILE.xlsx')
    .addHelpText('after', examples('wa-cli logs export 98b463bc-a8f1-4f19-84df-ae62967ff795 --out november.xlsx'))
    .action(lazyAction(ctx, () => import('./commands/logs/export.js')));
}

function registerDoctor(program: Command, ctx: Context): void {
  program
    .command('doctor')
    .description('check everything a first send depends on, one line each with ✓ or ✗ and the fix; exit 1 if any fails')
    .addHelpText('after', examples('wa-cli doctor', 'wa-cli -p gateway doctor', "wa-cli doctor --json | jq -r '.checks[] | select(.status == \"fail\") | .fix'"))
    .action(lazyAction(ctx, () => import('./commands/doctor/run.js')));
}

function registerSandbox(program: Command, ctx: Context): void {
  program
    .command('sandbox')
    .description('run the local Qontak + Konekwa simulator in the foreground (nothing is sent to WhatsApp)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', positiveInt('--port'))
    .addHelpText(
      'after',
      examples(
        'wa-cli sandbox --port 8787',
        'wa-cli sandbox --port 8787 --json > sandbox.json &  # in the background; it runs until stopped',
        'eval "$(jq -r \'.exports["qontak-hmac"]\' sandbox.json)"  # then wa-cli talks to the sandbox',
      ),
    )
    .action(lazyAction(ctx, () => import('./commands/sandbox/run.js')));
}

function registerDemo(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description('the whole flow against a built-in sandbox, in seconds; nothing leaves this machine')
    .addHelpText('after', examples('wa-cli demo', 'wa-cli demo --no-color 2>&1 | less'))
    .action(lazyAction(ctx, () => import('./commands/demo/run.js')));
}

function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'wa-cli completion bash > /etc/bash_completion.d/wa-cli',
        'wa-cli completion zsh > "${fpath[1]}/_wa-cli"',
        'wa-cli completion fish > ~/.config/fish/completions/wa-cli.fish',
      ),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./commands/completion/script.js');
      ctx.out.print(completionScript(shell));
    });
}

/** Whether a noun's verbs are declared: declaring only those named on the command line keeps `--help` quick. */
type Wanted = (noun: string) => boolean;

/** The whole tree, or with `argv` only the verbs of the nouns it names (all of them for `completion`). */
export function buildProgram(ctx: Context, argv?: readonly string[]): Command {
  const completion = argv?.includes('completion') && !argv.includes('--help') && !argv.includes('-h');
  const wanted: Wanted = (noun) => !argv || argv.includes(noun) || completion === true;
  const program = new Command('wa-cli');
  program
    .description('WhatsApp broadcasts and templates over Mekari Qontak and Konekwa: validate locally, send safely.')
    .version(packageVersion(), '-V, --version')
    .option('-p, --profile <name>', 'configuration profile (env WA_PROFILE)')
    .option('--json', 'print results as JSON (JSON Lines for streams)')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-q, --quiet', 'print results only: no progress or notes')
    .option('--verbose', 'log HTTP requests (secrets redacted) and show stack traces')
    .option('-y, --yes', 'answer yes to confirmations (required without a terminal)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .addHelpText(
      'after',
      examples(
        'wa-cli demo',
        'wa-cli auth login --provider qontak --client-id abc123 --with-secret < secret.txt',
        'wa-cli channels list --json',
      ) +
        '\nExit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 auth, 5 conflict, 6 transient, 129 terminal closed, 130 interrupted, 143 terminated.\n',
    )
    .hook('preAction', () => {
      const o = program.opts<{ profile?: string; json?: boolean; color?: boolean; quiet?: boolean; verbose?: boolean; yes?: boolean }>();
      ctx.setGlobals(o);
    });

  registerAuth(program, ctx, wanted);
  registerChannels(program, ctx, wanted);
  registerTemplates(program, ctx, wanted);
  registerContacts(program, ctx, wanted);
  registerBroadcast(program, ctx, wanted);
  registerOptout(program, ctx, wanted);
  registerLogs(program, ctx, wanted);
  registerDoctor(program, ctx);
  registerSandbox(program, ctx);
  registerDemo(program, ctx);
  registerCompletion(program, ctx);

  // Every subcommand shares the same output settings and error handling.
  const inherit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
      sub.showHelpAfterError('(run with --help for usage)');
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
