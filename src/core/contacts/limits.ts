// Fitting a contact list into a provider's per-upload row limits (the provider adapter knows them).

export interface UploadLimits {
  /** Most data rows one Excel upload takes (Qontak: 5,000). */
  xlsx: number;
  /** Most data rows one CSV upload takes (Qontak: 20,000). */
  csv: number;
}

export type UploadFormatChoice = 'csv' | 'xlsx' | { exceeds: true; rowCount: number; max: number };

/**
 * The format to upload `rowCount` contacts in one file: `prefer` (CSV unless told otherwise: its bytes are
 * exactly what was validated) when it fits, else the other one when that fits, else the count exceeds both
 * and the list must be split (see splitRows).
 */
export function chooseUploadFormat(rowCount: number, limits: UploadLimits, prefer: 'csv' | 'xlsx' = 'csv'): UploadFormatChoice {
  const order: Array<'csv' | 'xlsx'> = prefer === 'csv' ? ['csv', 'xlsx'] : ['xlsx', 'csv'];
  for (const f of order) if (rowCount <= limits[f]) return f;
  return { exceeds: true, rowCount, max: Math.max(limits.csv, limits.xlsx) };
}

/** Cuts rows into consecutive chunks of at most `limit` rows each (the last may be shorter). */
export function splitRows<T>(rows: readonly T[], limit: number): T[][] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`row limit must be a whole number ≥ 1, got ${limit}`);
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += limit) chunks.push(rows.slice(i, i + limit));
  return chunks;
}
