/**
 * The floor of figure 2: the least any `check --from-file` must do with a JSON dump, read it and parse it.
 * Usage: node dist/bench/floor.js FILE
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: floor.js FILE\n');
  process.exit(2);
}
const list = JSON.parse(readFileSync(file, 'utf8')) as { items?: unknown[] };
// Printing the count keeps the parse from being optimised away and lets the harness check the run.
process.stdout.write(`${list.items?.length ?? 0} items\n`);
