/**
 * Hostile dump inputs that must end as E_INPUT_SYNTAX, quickly and in bounded memory (docs/findings.md, "Dump
 * layout"). Shared by the bounded child-process test and `npm run bench`, which holds them to tighter figures.
 */
import { gzipSync } from 'node:zlib';

export interface HostileCase {
  name: string;
  /** What the error message must say. */
  expect: RegExp;
  bytes(): Buffer;
}

/** A deterministic byte generator (xorshift32): the same "random" bytes on every run and machine. */
export function pseudoRandomBytes(length: number, seed = 0x2026_1126): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A "billion laughs" YAML: `levels` anchors, each a list of `width` aliases of the one before. */
export function aliasBomb(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\n`;
}

const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: LoadBalancer\n';

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'YAML flow nesting, 1,000,000 levels',
    expect: /nesting deeper than the reader allows/,
    bytes: () => Buffer.from(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`),
  },
  {
    name: 'YAML compact sequences, 200,000 levels',
    expect: /nesting deeper than the reader allows/,
    bytes: () => Buffer.from(`${'- '.repeat(200_000)}x\n`),
  },
  {
    name: 'YAML block mappings, 2,000 levels',
    expect: /nesting deeper than the reader allows/,
    bytes: () =>
      Buffer.from(Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n'),
  },
  {
    name: 'JSON nesting, 1,000,000 levels',
    expect: /nesting deeper than the reader allows/,
    bytes: () => Buffer.from(`${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}`),
  },
  {
    name: 'YAML alias bomb, 9^9 leaves',
    expect: /aliases expand beyond the reader's limit/,
    bytes: () => Buffer.from(aliasBomb(9, 9)),
  },
  {
    name: 'gzipped dump, 5 MB',
    expect: /gzip-compressed data/,
    bytes: () => gzipSync(Buffer.from(SERVICE.repeat(50_000).replace(/\n$/, '\n---\n'))),
  },
  {
    name: 'random bytes, 5 MB',
    expect: /binary data|not UTF-8/,
    bytes: () => pseudoRandomBytes(5_000_000),
  },
];
