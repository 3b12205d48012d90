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

/**
 * YAML: an upper estimate per line of indentation (one space can open a level), compact indicators opening a
 * level on the same line (`- - - x`, `? `), and the flow depth of `[`/`{` carried across lines. Quoted scalars
 * and comments are skipped. An estimate can only be too high for text that is absurd anyway (hundreds of
 * spaces of indentation); the parser's own limits remain the last line of defence.
 */
export function yamlTooDeep(text: string): TooDeep | undefined {
  let flow = 0;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    let indent = 0;
    while (i < text.length && text.charCodeAt(i) === SPACE) {
      indent++;
      i++;
    }
    let compact = 0;
    // `- `, `? ` and `: ` at the start of a line's content each open a block level on that line.
    while (
      i + 1 < text.length &&
      (text[i] === '-' || text[i] === '?' || text[i] === ':') &&
      (text.charCodeAt(i + 1) === SPACE || text.charCodeAt(i + 1) === TAB)
    ) {
      compact++;
      i += 2;
      while (i < text.length && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    }
    if (indent + compact + flow > MAX_NESTING) return { line };
    let previous = SPACE;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) break;
      // A quote opens a quoted scalar only where a token starts (`it's` is a plain scalar).
      const atBoundary =
        previous === SPACE || previous === TAB || OPEN.has(previous) || previous === 44 || previous === 58;
      if (c === 35 && (previous === SPACE || previous === TAB)) {
        while (i < text.length && text.charCodeAt(i) !== NEWLINE) i++;
        break;
      }
      if ((c === 34 || c === 39) && atBoundary) {
        const quote = c;
        for (i++; i < text.length && text.charCodeAt(i) !== quote; i++) {
          if (text.charCodeAt(i) === NEWLINE) line++;
          if (quote === 34 && text.charCodeAt(i) === 92) i++;
        }
        previous = quote;
        continue;
      } else if (OPEN.has(c)) {
        if (++flow + indent + compact > MAX_NESTING) return { line };
      } else if (CLOSE.has(c) && flow > 0) flow--;
      previous = c;
    }
    line++;
    i++;
  }
  return undefined;
}
