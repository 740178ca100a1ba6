// templates: list, show, lint locally, create, wait for review, plan and apply a folder.
import { arg, duration, flag, MIN_POLL_INTERVAL_MS, noun, oneOfUpper, positiveInt, type OptionsOf } from '../../cli/spec.js';

// Meta's template statuses, which Qontak relays.
const STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'DISABLED', 'PAUSED', 'LIMIT_EXCEEDED'];
const nameOrId = arg('<name|id>', undefined, { complete: 'templates' });
const language = flag('--language <code>', 'which language, when the name exists in several');
// --wait of create and apply: how long, and how often the review is checked.
// How long a review is waited for, and how often it is looked at: `create --wait` and `wait` alike.
const REVIEW_TIMEOUT_MS = 3_600_000;
const REVIEW_INTERVAL_MS = 30_000;
const afterWait = [duration('--timeout <duration>', 'with --wait: how long to wait', REVIEW_TIMEOUT_MS), duration('--interval <duration>', 'with --wait: time between checks', REVIEW_INTERVAL_MS, MIN_POLL_INTERVAL_MS)] as const;
const folder = arg('<dir>', 'a folder of template files (searched for *.json), or one file', { file: true });

export const spec = noun({
  name: 'templates',
  description: 'WhatsApp templates: list, show, lint locally, create, wait for review, plan and apply a folder',
  verbs: {
    list: {
      description: 'templates on the account',
      flags: [
        flag('--status <status>', 'APPROVED, PENDING, REJECTED, IN_APPEAL, PAUSED, DISABLED…', { parse: oneOfUpper('--status', STATUSES), choices: STATUSES }),
        flag('--category <category>', 'MARKETING, UTILITY, AUTHENTICATION'),
        flag('--query <text>', 'name contains'),
        flag('--limit <n>', 'at most this many', { parse: positiveInt('--limit'), default: 50 }),
        flag('--all', 'every template, following all pages'),
      ],
      examples: ['wa-cli templates list --status APPROVED', 'wa-cli templates list --all --json > templates.json'],
    },
    show: {
      description: 'a template as the recipient sees it, with its status and placeholders',
      args: [nameOrId],
      flags: [language],
      examples: ['wa-cli templates show order_update --language id'],
    },
    validate: {
      description: 'check templates against every WhatsApp and Qontak rule, locally; exit 1 on any error',
      args: [arg('[paths...]', 'JSON files, folders (searched for *.json), or - for standard input', { file: true })],
      flags: [flag('--remote', 'check every template on the account'), flag('--format <format>', 'output', { choices: ['text', 'json', 'github'], default: 'text' })],
      examples: ['wa-cli templates validate templates/', 'wa-cli templates validate promo.json --format github', 'wa-cli templates validate --remote --json'],
    },
    create: {
      description: 'validate a template file, then submit it for review; refuses on errors',
      args: [arg('<file>', 'a Meta/Qontak create JSON, or a Konekwa {name, content}', { file: true })],
      flags: [
        flag('--dry-run', 'validate and show what would be submitted'),
        flag('--wait', 'wait for the review: exit 0 approved, 1 rejected (with the reason), 6 still pending at --timeout'),
        ...afterWait,
      ],
      examples: ['wa-cli templates create promo_nov.json --dry-run', 'wa-cli templates create promo_nov.json', 'wa-cli templates create promo_nov.json --wait --timeout 2h'],
    },
    wait: {
      description: "wait for a submitted template's review to end: exit 0 approved, 1 rejected (with the reason), 6 still pending at --timeout",
      args: [nameOrId],
      flags: [language, duration('--timeout <duration>', 'how long to wait', REVIEW_TIMEOUT_MS), duration('--interval <duration>', 'time between checks', REVIEW_INTERVAL_MS, MIN_POLL_INTERVAL_MS)],
      examples: ['wa-cli templates wait order_update --language id --timeout 2h  # e.g. a CI retry after create --wait timed out'],
    },
    plan: {
      description: 'templates as code: compare the template files in a folder with the account by name and language (create, same, differs, rejected)',
      args: [folder],
      flags: [flag('--check', 'exit 1 when anything would be created, differs or was rejected: a CI gate')],
      examples: ['wa-cli templates plan templates/', 'wa-cli templates plan templates/ --check', 'wa-cli templates plan templates/ --json | jq ".counts"'],
    },
    apply: {
      description: 'create on the account every template of a folder that plan lists as create; never edits or deletes; safe to run again',
      args: [folder],
      flags: [
        flag('--dry-run', 'show what would be created; create nothing'),
        flag('--wait', 'then wait for every review together: exit 0 all approved, 1 any rejected, 6 any still pending at --timeout'),
        ...afterWait,
      ],
      examples: ['wa-cli templates apply templates/ --dry-run', 'wa-cli templates apply templates/', 'wa-cli templates apply templates/ --wait --timeout 2h'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
