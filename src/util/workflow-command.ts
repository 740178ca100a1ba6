// GitHub Actions workflow commands: the one encoder of annotation lines (`::error file=…,line=…::message`). The runner
// reads them from a step's output and pins each to its file and line in the pull request and the run's summary.

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationPlace {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

// % \r \n must be escaped in the message, and , : too in properties (actions/toolkit's command.ts).
const escData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string): string => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotation(level: AnnotationLevel, place: AnnotationPlace, message: string): string {
  const props = (['file', 'line', 'col', 'title'] as const).filter((k) => place[k] !== undefined && place[k] !== '').map((k) => `${k}=${escProp(String(place[k]))}`);
  return `::${level}${props.length ? ` ${props.join(',')}` : ''}::${escData(message)}`;
}
