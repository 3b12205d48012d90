/**
 * Comments and docs may only cite documents in the repository (issue 7): a reader of a clone cannot open the design
 * notes the project started from. MetalLB facts are cited from docs/metallb-behaviour.md, finding contracts from
 * docs/findings.md, decisions from ARCHITECTURE.md, README.md and docs/adr/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const self = path.relative(root, __filename);

/** What the repository is scanned under: every place a comment or a doc lives. */
const SCANNED = [
  'src',
  'tools',
  'bench',
  'test',
  'docs',
  'deploy',
  'examples',
  '.ci',
  'ARCHITECTURE.md',
  'README.md',
];

/** Citations of documents that exist only outside the repository, with the in-repo place to cite instead. */
const OUT_OF_REPO: ReadonlyArray<{ pattern: RegExp; instead: string }> = [
  { pattern: /\bresearch\/[\w-]+\.md/, instead: 'docs/metallb-behaviour.md (its numbered sections)' },
  { pattern: /\bdesign\/findings\.md/, instead: 'docs/findings.md' },
  { pattern: /\bDESIGN\.md\b/, instead: 'README.md, ARCHITECTURE.md or an ADR in docs/adr/' },
  { pattern: /\bSTYLE\.md\b/, instead: 'ARCHITECTURE.md' },
  { pattern: /\.\.\/shared\/|\/work\/shared\b/, instead: 'a file in the repository' },
  { pattern: /\bseed's\b|\bseed: Fix\b/i, instead: 'a description of what the seed did' },
];

function filesUnder(relative: string): string[] {
  const absolute = path.join(root, relative);
  if (!statSync(absolute, { throwIfNoEntry: false })) return [];
  if (statSync(absolute).isFile()) return [relative];
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules')
    .flatMap((entry) => filesUnder(path.join(relative, entry.name)));
}

/** `file:line: text (cite X instead)` for every out-of-repo citation in the given text. */
function outOfRepoCitations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { pattern, instead } of OUT_OF_REPO) {
      if (pattern.test(line)) found.push(`${file}:${index + 1}: ${line.trim()} (cite ${instead} instead)`);
    }
  });
  return found;
}

describe('references to documents', () => {
  it('finds each kind of out-of-repo citation, with file and line', () => {
    const text = [
      'ok line',
      ' * (research/metallb.md section 4)',
      ' * shape of design/findings.md',
      ' * DESIGN.md ("Fixes") and STYLE.md',
      ' * see ../shared/DESIGN.md',
      " * the seed's Fix 3",
    ].join('\n');
    const found = outOfRepoCitations('src/x.ts', text);
    expect(found.map((f) => f.split(':').slice(0, 2).join(':'))).toEqual([
      'src/x.ts:2',
      'src/x.ts:3',
      'src/x.ts:4',
      'src/x.ts:4',
      'src/x.ts:5',
      'src/x.ts:5',
      'src/x.ts:6',
    ]);
    expect(
      outOfRepoCitations('docs/x.md', 'docs/findings.md and docs/metallb-behaviour.md section 6'),
    ).toEqual([]);
  });

  it('cite only files in the repository', () => {
    const files = SCANNED.flatMap(filesUnder).filter((file) => file !== self);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => {
      const text = readFileSync(path.join(root, file), 'utf8');
      return text.includes('\0') ? [] : outOfRepoCitations(file, text);
    });
    expect(found).toEqual([]);
  });

  it('cite sections of docs/metallb-behaviour.md that exist', () => {
    const doc = readFileSync(path.join(root, 'docs', 'metallb-behaviour.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]));
    const files = SCANNED.flatMap(filesUnder).filter((file) => file !== self);
    const dangling = files.flatMap((file) => {
      const text = readFileSync(path.join(root, file), 'utf8');
      return [...text.matchAll(/metallb-behaviour\.md,? sections? ([\d, and]+)/g)].flatMap((m) =>
        [...(m[1] ?? '').matchAll(/\d+/g)]
          .filter((n) => !sections.has(n[0]))
          .map((n) => `${file}: section ${n[0]}`),
      );
    });
    expect(sections.size).toBeGreaterThan(5);
    expect(dangling).toEqual([]);
  });
});
