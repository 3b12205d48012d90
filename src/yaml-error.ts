/** One place that turns a `yaml` syntax error into the one-line location and message users see. */
import type { YAMLError } from 'yaml';

/**
 * `where` is `name` with the line of the error when yaml knows it; `message` is yaml's first line without its
 * " at line N, column M:" tail (the line is already in `where`) and without the code frame.
 */
export function yamlErrorAt(name: string, error: YAMLError): { where: string; message: string } {
  const line = error.linePos?.[0]?.line;
  return { where: line === undefined ? name : `${name} line ${line}`, message: firstLineOf(error.message) };
}

/** A parser message's first line, without yaml's " at line N, column M:" tail and its code frame. */
export function firstLineOf(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
