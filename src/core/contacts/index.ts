// Contact spreadsheets: read (.xlsx, .xls, .csv), validate and normalise, write the clean file.
export type { Cell, HeaderCell, SheetData, SheetFormat, SheetRow } from './types.js';
export { SpreadsheetError } from './errors.js';
export { readSheet, readSheetBuffer, DEFAULT_MAX_INFLATED_BYTES, SUPPORTED_EXTENSIONS, type ReadOptions } from './read-sheet.js';
export {
  validateContacts,
  scanContacts,
  type ContactScan,
  type ContactReport,
  type Duplicate,
  type NormalisedContact,
  type Problem,
  type ProblemCode,
  type ValidateOptions,
} from './validate.js';
export { internationalNumber, normalisePhoneText, normalisePhoneCell, type CountryCode, type PhoneResult } from './phone.js';
export { CleanCsvDigest, toCsvBuffer, toXlsxBuffer, writeClean } from './write.js';
export { chooseUploadFormat, splitRows, type UploadFormatChoice, type UploadLimits } from './limits.js';
export { columnLetter } from './columns.js';
