// Waiting for a submitted template's review: polls until Meta's answer is final. Qontak's API documents no
// rejection reason field; one is shown when the template object carries Meta's `rejected_reason` or a `reason`.
import type { Provider, RemoteTemplate } from '../providers/port.js';

export type ReviewOutcome = { kind: 'approved' | 'rejected' | 'timeout'; template: RemoteTemplate; reason: string | undefined };

/**
 * The one final answer besides APPROVED that the documents show (recorded templates are APPROVED, PENDING or
 * REJECTED). Any other status, PENDING included, is shown as the server gives it and waited on: a status nobody
 * documented is not taken for a verdict.
 */
const REFUSED = ['REJECTED'];

export function rejectionReason(t: RemoteTemplate): string | undefined {
  const raw = (t.raw ?? {}) as Record<string, unknown>;
  const r = raw.rejected_reason ?? raw.reason;
  return typeof r === 'string' && r !== '' && r !== 'NONE' ? r : undefined;
}

export async function waitForReview(
  provider: Provider,
  first: RemoteTemplate,
  o: { timeoutMs: number; intervalMs: number; now: () => number; sleep: (ms: number) => Promise<void>; onTick?: (t: RemoteTemplate) => void },
): Promise<ReviewOutcome> {
  const deadline = o.now() + o.timeoutMs;
  let t = first;
  for (;;) {
    const status = t.status.toUpperCase();
    if (status === 'APPROVED') return { kind: 'approved', template: t, reason: undefined };
    if (REFUSED.includes(status)) return { kind: 'rejected', template: t, reason: rejectionReason(t) };
    const left = deadline - o.now();
    if (left <= 0) return { kind: 'timeout', template: t, reason: undefined };
    await o.sleep(Math.min(o.intervalMs, left));
    t = await provider.getTemplate(t.id);
    o.onTick?.(t);
  }
}

/**
 * Whether the account takes this category, asked online before a create: the categories it lists
 * (GET /templates/category) or that its own templates carry (the recorded ones are MARKETING and UTILITY, which the
 * recorded category list does not name). undefined when it does, or when the provider lists none to check against.
 */
export async function categoryProblem(provider: Provider, category: string): Promise<string | undefined> {
  if (!provider.templateCategories) return undefined;
  const offered = await provider.templateCategories();
  if (offered.length === 0) return undefined;
  const c = category.toUpperCase();
  if (offered.some((x) => x.toUpperCase() === c)) return undefined;
  const inUse = new Set<string>();
  for await (const t of provider.listTemplates({})) if (t.category) inUse.add(t.category.toUpperCase());
  if (inUse.has(c)) return undefined;
  return `Category "${category}" is not one the account lists (${offered.join(', ')}) nor one its templates carry (${[...inUse].sort().join(', ') || 'none'}); nothing was submitted.`;
}
