// SheetJS, loaded only when a workbook is read or written: importing it costs about 75 ms and 10 MB that a CSV contact
// file never needs. The async entry points that may meet a workbook (readSheet, writeClean, planUploads) load it; the
// synchronous readers and writers under them take it from here.
import type * as XLSX from 'xlsx';

export type SheetJs = typeof XLSX;

let loaded: SheetJs | undefined;

export async function loadSheetJs(): Promise<SheetJs> {
  return (loaded ??= await import('xlsx'));
}

/** SheetJS, once loadSheetJs() has loaded it. */
export function sheetJs(): SheetJs {
  if (!loaded) throw new Error('SheetJS was used before loadSheetJs() loaded it');
  return loaded;
}
