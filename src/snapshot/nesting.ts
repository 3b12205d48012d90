/**
 * How deeply a dump text nests, found by one linear scan before any parser runs: the YAML parser recurses per
 * level and runs out of stack (or time) a few hundred levels down, so text nested deeper than MAX_NESTING is
 * refused as an input error instead. Kubernetes objects, CRD schemas included, nest a few dozen levels.
 */

/** The deepest nesting the reader accepts. */
export const MAX_NESTING = 200;

/** Where the text first nests deeper than MAX_NESTING, or undefined when it never does. */
export interface TooDeep {
  line: number;
}

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const OPEN = new Set([91, 123]); // [ {
const CLOSE = new Set([93, 125]); // ] }

/** JSON: the depth of `[`/`{` outside strings, which is exact. */
export function jsonTooDeep(text: string): TooDeep | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) line++;
    else if (c === 34) {
      // Skip the string, escapes included; a string has no raw newline in valid JSON.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (OPEN.has(c)) {
      if (++depth > MAX_NESTING) return { line };
    } else if (CLOSE.has(c) && depth > 0) depth--;
  }
  return undefined;
}

/** The scan state carried from line to line: the open flow collections and the line number. */
interface YamlScan {
  text: string;
  i: number;
  line: number;
  flow: number;
}

const isBlank = (c: number): boolean => c === SPACE || c === TAB;

/** Leading spaces, then `- `, `? ` or `: ` indicators that each open a block level on the same line. */
function lineOpening(scan: YamlScan): number {
  const { text } = scan;
  let levels = 0;
  while (scan.i < text.length && text.charCodeAt(scan.i) === SPACE) {
    levels++;
    scan.i++;
  }
  while (
    scan.i + 1 < text.length &&
    '-?:'.includes(text[scan.i] as string) &&
    isBlank(text.charCodeAt(scan.i + 1))
  ) {
    levels++;
    scan.i += 2;
    while (scan.i < text.length && isBlank(text.charCodeAt(scan.i))) scan.i++;
  }
  return levels;
}

/** Skips a quoted scalar from its opening quote to its closing one, counting the lines it spans. */
function skipQuoted(scan: YamlScan, quote: number): void {
  const { text } = scan;
  for (scan.i++; scan.i < text.length && text.charCodeAt(scan.i) !== quote; scan.i++) {
    const c = text.charCodeAt(scan.i);
    if (c === NEWLINE) scan.line++;
    else if (quote === 34 && c === 92) scan.i++;
  }
}

/** A quote opens a quoted scalar, and `#` a comment, only where a token starts (`it's` is a plain scalar). */
const startsToken = (previous: number): boolean =>
  isBlank(previous) || OPEN.has(previous) || previous === 44 || previous === 58;

/** Scans the rest of a line; true when its flow depth on top of `opening` passes MAX_NESTING. */
function lineTooDeep(scan: YamlScan, opening: number): boolean {
  const { text } = scan;
  let previous = SPACE;
  for (; scan.i < text.length; scan.i++) {
    const c = text.charCodeAt(scan.i);
    if (c === NEWLINE || (c === 35 && isBlank(previous))) {
      scan.i = text.indexOf('\n', scan.i);
      if (scan.i < 0) scan.i = text.length;
      return false;
    }
    if ((c === 34 || c === 39) && startsToken(previous)) skipQuoted(scan, c);
    else if (OPEN.has(c) && ++scan.flow + opening > MAX_NESTING) return true;
    else if (CLOSE.has(c) && scan.flow > 0) scan.flow--;
    previous = c;
  }
  return false;
}

/**
 * YAML: an upper estimate per line of indentation (one space can open a level), compact indicators opening a
 * level on the same line (`- - - x`, `? `), and the flow depth of `[`/`{` carried across lines. Quoted scalars
 * and comments are skipped. An estimate can only be too high for text that is absurd anyway (hundreds of
 * spaces of indentation); the parser's own limits, caught as input errors, remain the last line of defence.
 */
export function yamlTooDeep(text: string): TooDeep | undefined {
  const scan: YamlScan = { text, i: 0, line: 1, flow: 0 };
  while (scan.i < text.length) {
    const opening = lineOpening(scan);
    if (opening + scan.flow > MAX_NESTING || lineTooDeep(scan, opening)) return { line: scan.line };
    scan.line++;
    scan.i++;
  }
  return undefined;
}
