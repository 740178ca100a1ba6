// A template of a folder compared with the account (`templates plan`), and what `templates apply` did with it.
import type { PlanItem, TemplatePlan } from '../../core/template-plan.js';
import type { RemoteTemplate } from '../../providers/port.js';
import type { TimeFormat } from '../time.js';
import type { Presenter } from './presenter.js';

export interface PlanItemJson {
  file: string;
  name: string;
  language: string | null;
  /** create, same, differs, rejected or invalid. */
  action: PlanItem['kind'];
  id: string | null;
  status: string | null;
  /** The parts that differ from the account's template (differs). */
  differences: string[];
  note: string | null;
  warnings: number;
}

export const planItem: Presenter<PlanItem, PlanItemJson> = {
  toJson: (i) => ({
    file: i.doc.source.file,
    name: i.doc.name,
    language: i.doc.language ?? null,
    action: i.kind,
    id: i.remote?.id ?? null,
    status: i.remote?.status ?? null,
    differences: i.differences ?? [],
    note: i.note ?? null,
    warnings: i.findings.filter((f) => f.severity === 'warning').length,
  }),
  columns: () => [
    { header: 'ACTION', value: (i) => i.kind },
    { header: 'NAME', value: (i) => i.doc.name },
    { header: 'LANGUAGE', value: (i) => i.doc.language ?? '' },
    { header: 'ON ACCOUNT', value: (i) => i.remote?.status ?? '' },
    { header: 'FILE', value: (i) => i.doc.source.file },
    { header: 'NOTE', value: (i) => i.note ?? '' },
  ],
};

export const planJson = (plan: TemplatePlan, t: TimeFormat) => ({ provider: plan.provider, templates: plan.items.map((i) => planItem.toJson(i, t)), counts: plan.counts });

/** A template `templates apply` went through: what it did (created, exists, failed, unknown, or the plan's action). */
export interface Applied {
  item: PlanItem;
  result: string;
  template: RemoteTemplate | undefined;
  note: string | undefined;
  /** The status the review ended at, with --wait. */
  review?: string;
}

const appliedStatus = (r: Applied): string | null => r.review ?? r.template?.status ?? null;

export const applied: Presenter<Applied, PlanItemJson & { result: string }> = {
  toJson: (r, t) => ({ ...planItem.toJson(r.item, t), result: r.result, id: r.template?.id ?? null, status: appliedStatus(r), note: r.note ?? null }),
  columns: () => [
    { header: 'RESULT', value: (r) => r.result },
    { header: 'NAME', value: (r) => r.item.doc.name },
    { header: 'LANGUAGE', value: (r) => r.item.doc.language ?? '' },
    { header: 'STATUS', value: (r) => appliedStatus(r) ?? '' },
    { header: 'ID', value: (r) => r.template?.id ?? '' },
    { header: 'NOTE', value: (r) => r.note ?? '' },
  ],
};

/** `templates apply`: each template of the folder with what was done, and how many of each result. */
export function appliedJson(provider: TemplatePlan['provider'], rows: readonly Applied[], t: TimeFormat) {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.result] = (counts[r.result] ?? 0) + 1;
  return { provider, templates: rows.map((r) => applied.toJson(r, t)), counts };
}
