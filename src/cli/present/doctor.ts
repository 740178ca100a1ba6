// A doctor check: one line on a terminal, one object in --json.
import type { Check } from '../../core/doctor.js';

const MARK: Record<Check['status'], string> = { ok: '✓', fail: '✗', skip: '-' };

export const checkJson = (c: Check) => ({ id: c.id, title: c.title, status: c.status, detail: c.detail, fix: c.fix ?? null });

export const checkLine = (c: Check): string => `${MARK[c.status]} ${c.title}: ${c.detail}${c.fix ? ` → ${c.fix}` : ''}`;

export const doctorJson = (checks: readonly Check[]) => ({ ok: checks.every((c) => c.status !== 'fail'), checks: checks.map(checkJson) });
