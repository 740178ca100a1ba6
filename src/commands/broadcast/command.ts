// broadcast: send a template to a list, a spreadsheet or one number; follow what was sent.
import { arg, collect, duration, flag, noun, perSecond, positiveInt, type OptionsOf } from '../../cli/spec.js';

const runId = arg('<id>', 'broadcast id (Qontak) or run id (Konekwa fan-out)', { complete: 'runs' });

export const spec = noun({
  name: 'broadcast',
  description: 'send a template to a list, a spreadsheet or one number; follow what was sent',
  verbs: {
    send: {
      description: 'send a template, after checking every recipient; never twice for the same idempotency key',
      flags: [
        flag('--template <name|id>', 'approved template to send (required unless --resume)', { complete: 'templates' }),
        flag('--list <id>', 'a Qontak contact list', { complete: 'lists' }),
        flag('--file <sheet>', 'a spreadsheet of contacts (.xlsx, .xls, .csv)', { file: true }),
        flag('--to <phone>', 'one number'),
        flag('--to-name <name>', 'the name of --to (full_name)'),
        flag('--channel <id[,id…]>', "channel (Qontak integration or Konekwa session); Konekwa: several sessions, comma-separated, share a fan-out, each at --rate; default: the profile's, else the only one", { complete: 'channels' }),
        flag('--param <KEY=COLUMN|KEY=:text>', 'value of a placeholder: a column, or literal text after a colon (repeatable)', { parse: collect, default: [] }),
        flag('--media <url|file>', 'the media of a template with an IMAGE, VIDEO or DOCUMENT header (a local file is uploaded first)', { file: true }),
        flag('--media-filename <name>', 'the file name a DOCUMENT header shows (default: from the URL or file)'),
        flag('--button <INDEX=COLUMN|INDEX=:text>', 'value of a dynamic URL button: a column, or literal text after a colon (repeatable)', { parse: collect, default: [] }),
        flag('--language <code>', 'template language when the name exists in several'),
        flag('--name <name>', 'broadcast name (default: template and date)'),
        flag('--schedule <iso8601>', 'send later (Qontak list sends), e.g. 2026-12-01T09:00:00+07:00'),
        flag('--idempotency-key <key>', 'refuse to send twice with this key (default: derived from template, target and parameters)'),
        flag('--release-unknown', 'Qontak: a send of this key left unknown and still not on the account after 5 minutes: release the key and send'),
        flag('--dry-run', 'check and show what would be sent; send nothing'),
        flag('--skip-invalid', 'send to the valid recipients and report the invalid ones, instead of refusing'),
        flag('--rate <n/s>', 'messages per second for a fan-out (Konekwa)', { parse: perSecond('--rate') }),
        flag('--concurrency <n>', 'requests in flight at once for a fan-out', { parse: positiveInt('--concurrency') }),
        flag('--resume <id>', 'continue an interrupted fan-out from its journal', { complete: 'runs' }),
        flag('--move-session <FROM=TO>', 'with --resume: send the unfinished share of session FROM through TO (repeatable)', { parse: collect, default: [] }),
        duration('--settle <duration>', "Konekwa: how long a message whose answer was lost may take to show in the server's listing before it counts as not sent and is sent again", 60_000),
        duration('--dedupe-window <duration>', 'Konekwa: a run with no local record first leaves out whoever got the identical text within this long; 0 sends a deliberate repeat', 6 * 3_600_000),
        flag('--no-wait', 'Konekwa: end (exit 6) instead of waiting for messages in doubt to settle; the same command settles them later'),
        flag('--country <code>', 'country for numbers without one (default: profile, else ID)'),
        flag('--sheet <name>', 'sheet of --file to read'),
        flag('--shard <I/N|auto>', 'send only the I-th of N slices of the recipients (by a hash of the number); each shard has its own key. auto: I from JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job), N from WA_SHARD_COUNT or auto/N'),
        flag('--ignore-quiet-hours', "send a marketing template inside the profile's quiet hours"),
        flag('--out <file>', "with --dry-run: write every recipient's message to this .csv or .xlsx", { file: true }),
      ],
      examples: [
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
      ],
    },
    status: {
      description: 'counts per delivery status of one broadcast, with failure reasons',
      args: [arg('[id]', 'broadcast id (Qontak) or run id (Konekwa fan-out)', { complete: 'runs' })],
      flags: [
        flag('--journal <path>', "a fan-out run folder (e.g. copied from each shard's machine) instead of an id: each run's journal counted and summed (repeatable)", { parse: collect, default: [], file: true }),
      ],
      examples: ['wa-cli broadcast status 98b463bc-a8f1-4f19-84df-ae62967ff795', 'wa-cli broadcast status 20261122-abcd1234 --json', 'wa-cli broadcast status --journal shard-1/20261122-abcd1234 --journal shard-2/20261122-ef567890'],
    },
    report: {
      description: "write one self-contained HTML page: a broadcast's delivery funnel or a run's story, messages over time, failures by reason and the numbers",
      args: [runId],
      flags: [flag('--out <file>', 'FILE.html', { required: true, file: true })],
      examples: ['wa-cli broadcast report 98b463bc-a8f1-4f19-84df-ae62967ff795 --out report.html', 'wa-cli broadcast report 20261122-abcd1234 --out run.html'],
    },
    list: {
      description: 'recent broadcasts (Qontak), or the local fan-out runs (Konekwa)',
      flags: [flag('--since <date>', 'only those created since this date (YYYY-MM-DD: midnight in TZ; or ISO 8601)'), flag('--limit <n>', 'at most this many', { parse: positiveInt('--limit'), default: 20 })],
      examples: ['wa-cli broadcast list', 'wa-cli broadcast list --since 2026-11-01 --json'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
