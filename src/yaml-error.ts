/** One place that turns a `yaml` syntax error into the one-line location and message users see. */
import type { YAMLError } from 'yaml';

/**
 * `where` is `name` with the line of the error when yaml knows it; `message` is yaml's first line without its
 * " at line N, column M:" tail (the line is already in `where`) and without the code frame.
 */
export function yamlErrorAt(name: string, error: YAMLError): { where: string; message: string } {
  const line = error.linePos?.[0]?.line;
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { where: line === undefined ? name : `${name} line ${line}`, message };
}
