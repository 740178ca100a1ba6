// The one shape every template input is read into, and the shape of a finding about it.

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';
export type Provider = 'qontak' | 'konekwa';
export type PlaceholderStyle = 'positional' | 'named';
/** Which input shape a template was read from. */
export type SourceFormat = 'meta' | 'qontak' | 'konekwa';

export interface TemplateButton {
  /** Upper case: QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP… */
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
  /** Example value(s) for a URL placeholder. */
  example?: string[];
}

export interface TemplateHeader {
  /** Upper case: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION. */
  format: string;
  text?: string;
  /** Example value for a text header's placeholder. */
  example?: string[];
  /** A media header's sample (handle or URL), as given. */
  media?: string;
}

/**
 * Field names a finding can point at: name, language, category, body, header, footer, buttons,
 * buttons[0].text, buttons[0].url, buttons[0].phone_number, buttons[0].example[0], header.example[0], examples[0].
 */
export type Field = string;

export interface TemplateSource {
  /** The file as the user named it; absent for templates read from an account. */
  file?: string;
  /** JSON pointer of the template object inside the file ("" for a file holding just one). */
  pointer: string;
  /** Position among the templates of the same file. */
  index: number;
  format: SourceFormat;
  /** Field → JSON pointer of the string it was read from. */
  fields: Record<string, string>;
  /**
   * File line and column of a character of a field: `offset` counts UTF-16 units of the decoded text. Without an
   * offset, or for a field the file lacks, the start of the value (or of the template).
   */
  locate?(field: Field, offset?: number): { line: number; column: number } | undefined;
}

export interface TemplateDoc {
  name: string;
  language?: string;
  category?: string;
  /** '' when there is none (see bodyCount). */
  body: string;
  /** How many bodies the input had: 0, 1, or more for a malformed create JSON. */
  bodyCount: number;
  header?: TemplateHeader;
  footer?: string;
  buttons: TemplateButton[];
  /** Example values for the body placeholders, in the order given. */
  examples?: string[];
  /** For named placeholders: the placeholder each example belongs to (parallel to examples). */
  exampleKeys?: string[];
  /** A body example given as one sentence (Qontak's guide shows this form): present, but not per placeholder. */
  exampleText?: string;
  placeholderStyle: PlaceholderStyle;
  status?: string;
  id?: string;
  source: TemplateSource;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  field: Field;
  /** Inside the field's text: 1-based line and column, counting characters as a person sees them. */
  line?: number;
  column?: number;
  /** In the source file: 1-based line and column (UTF-16 units, as editors count). */
  fileLine?: number;
  fileColumn?: number;
}
