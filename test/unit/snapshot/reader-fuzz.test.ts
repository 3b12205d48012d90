/**
 * Property-based fuzzing of the dump reader (decode, parse, load) with random and adversarial YAML and JSON:
 * whatever the bytes, the reader either returns a snapshot or throws an AppError with an input code; it never
 * throws anything else and never answers E_INTERNAL. The seed is fixed so a failure reproduces; time and memory
 * of the worst cases are bounded in test/integration/cli/hostile-input.e2e.test.ts and `npm run bench`.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { AppError } from '../../../src/errors';
import { loadDump } from '../../../src/snapshot/load';
import { aliasBomb } from '../../../tools/hostile-inputs';

const SEED = 20261126;
const INPUT_CODES = ['E_INPUT_SYNTAX', 'E_INPUT_EMPTY'];

/** Reads bytes as stdin; resolves to the outcome: 'ok' or the AppError code. Anything else rejects. */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    await loadDump(['-'], { stdin: Readable.from([Buffer.from(bytes)]) });
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw new Error(`the reader threw a non-AppError: ${String(error)}`);
  }
}

const YAML_TOKENS = [
  '[',
  ']',
  '{',
  '}',
  '- ',
  '? ',
  ': ',
  ',',
  '\n',
  '  ',
  '\t',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '"',
  "'",
  '\\',
  '#',
  '|',
  '>',
  '---\n',
  '...\n',
  '!!str ',
  '!!binary ',
  '%YAML 1.2\n',
  'kind: Service',
  'kind: List',
  'items:',
  'apiVersion: v1',
  'metadata:',
  'name: x',
  'a',
  '1',
  'null',
  '~',
  '<<: *a',
  '\u00e9',
  '\u{1F680}',
  '\r\n',
];

const yamlSoup = fc
  .array(fc.constantFrom(...YAML_TOKENS), { maxLength: 300 })
  .map((tokens) => Buffer.from(tokens.join('')));

/** Kubernetes-shaped JSON and YAML with random values: the reader must keep what is an object. */
const kubeObject = fc.record({
  apiVersion: fc.constantFrom('v1', 'metallb.io/v1beta1', 7, null),
  kind: fc.constantFrom('Service', 'IPAddressPool', 'List', 'ServiceList', '', 3),
  metadata: fc.anything({ maxDepth: 3 }),
  items: fc.option(fc.array(fc.anything({ maxDepth: 3 }), { maxLength: 4 })),
  spec: fc.jsonValue({ maxDepth: 4 }),
});
const structured = fc.tuple(kubeObject, fc.constantFrom('json', 'yaml')).map(([obj, format]) =>
  Buffer.from(
    format === 'json'
      ? (JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? 'null')
      : Object.entries(obj)
          .map(
            ([k, v]) =>
              `${k}: ${JSON.stringify(v, (_k2, v2: unknown) => (typeof v2 === 'bigint' ? String(v2) : v2)) ?? 'null'}`,
          )
          .join('\n'),
  ),
);

/** Nesting from shallow to far past the reader's limit, in every bracket style and in both formats. */
const deep = fc
  .tuple(
    fc.integer({ min: 1, max: 20_000 }),
    fc.constantFrom(['[', ']'], ['{"a":', '}'], ['{a: ', '}'], ['- ', ''], ['[{"a":[', ']}]']),
    fc.boolean(),
  )
  .map(([depth, [open, close], closed]) =>
    Buffer.from(`${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}\n`),
  );

const indented = fc
  .integer({ min: 1, max: 3_000 })
  .map((depth) =>
    Buffer.from(
      `kind: X\nspec:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1\n`,
    ),
  );

const aliases = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }))
  .map(([levels, width]) => Buffer.from(`kind: ConfigMap\n${aliasBomb(levels, width)}`));

const hugeScalar = fc
  .tuple(
    fc.integer({ min: 10_000, max: 2_000_000 }),
    fc.constantFrom('plain', 'double', 'single', 'block', 'json'),
  )
  .map(([size, style]) => {
    const body = 'x'.repeat(size);
    if (style === 'json') return Buffer.from(`{"kind":"ConfigMap","data":{"a":"${body}"}}`);
    const value = { plain: body, double: `"${body}"`, single: `'${body}'`, block: `|\n    ${body}` }[style];
    return Buffer.from(`kind: ConfigMap\ndata:\n  a: ${value}\n`);
  });

interface Encoded {
  bytes: Uint8Array;
  /** Whether the reader must decode it: a byte-order mark names the encoding, or it is plain UTF-8. */
  decodable: boolean;
}

/** Any of the above re-encoded: with or without a byte-order mark, UTF-16/32 in both byte orders, or cut short. */
function encodings(text: Buffer): fc.Arbitrary<Encoded> {
  const utf16 = (bigEndian: boolean): Buffer => {
    const b = Buffer.from(text.toString('utf8'), 'utf16le');
    if (bigEndian) b.swap16();
    return b;
  };
  const utf32 = (bigEndian: boolean): Buffer => {
    const points = Array.from(text.toString('utf8'), (c) => c.codePointAt(0) as number);
    const b = Buffer.alloc(points.length * 4);
    points.forEach((p, i) => (bigEndian ? b.writeUInt32BE(p, i * 4) : b.writeUInt32LE(p, i * 4)));
    return b;
  };
  const variants: [number[], () => Buffer, boolean][] = [
    [[], () => text, true],
    [[0xef, 0xbb, 0xbf], () => text, true],
    [[0xff, 0xfe], () => utf16(false), true],
    [[0xfe, 0xff], () => utf16(true), true],
    [[0xff, 0xfe, 0, 0], () => utf32(false), true],
    [[0, 0, 0xfe, 0xff], () => utf32(true), true],
    [[], () => utf16(false), false],
    [[0xff, 0xfe], () => Buffer.concat([utf16(false), Buffer.from([0x41])]), false],
  ];
  return fc
    .constantFrom(...variants)
    .map(([bom, body, decodable]) => ({ bytes: Buffer.concat([Buffer.from(bom), body()]), decodable }));
}

const options = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** Runs the property over the inputs and returns every outcome seen, so each test can check its reach. */
async function neverInternal(arbitrary: fc.Arbitrary<Uint8Array>, numRuns: number): Promise<Set<string>> {
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (bytes) => {
      const result = await outcome(bytes);
      seen.add(result);
      return result === 'ok' || INPUT_CODES.includes(result);
    }),
    options(numRuns),
  );
  return seen;
}

const bytesOf = (encoded: Encoded): Uint8Array => encoded.bytes;

describe('the dump reader under fuzzing', () => {
  it('survives random bytes', async () => {
    expect(await neverInternal(fc.uint8Array({ maxLength: 4_000 }), 300)).toContain('E_INPUT_SYNTAX');
  });

  it('survives YAML token soup, in every encoding', async () => {
    const seen = await neverInternal(yamlSoup.chain(encodings).map(bytesOf), 400);
    expect([...seen].sort()).toEqual(['E_INPUT_EMPTY', 'E_INPUT_SYNTAX', 'ok']);
  });

  it('survives Kubernetes-shaped JSON and YAML with random values, in every encoding', async () => {
    expect(await neverInternal(structured.chain(encodings).map(bytesOf), 200)).toContain('ok');
  });

  it('survives nesting up to 20,000 levels, closed or not', async () => {
    const seen = await neverInternal(deep, 150);
    expect(seen).toContain('E_INPUT_SYNTAX');
    expect(seen).toContain('E_INPUT_EMPTY'); // shallow and closed: a valid list or scalar, but no object
  });

  it('survives indentation up to 3,000 levels', async () => {
    const seen = await neverInternal(indented, 40);
    expect([...seen].sort()).toEqual(['E_INPUT_SYNTAX', 'ok']);
  });

  it('survives alias chains up to 12 levels of 12', async () => {
    const seen = await neverInternal(aliases, 100);
    expect([...seen].sort()).toEqual(['E_INPUT_SYNTAX', 'ok']);
  });

  it('survives huge scalars in every style', async () => {
    expect([...(await neverInternal(hugeScalar, 20))]).toEqual(['ok']);
  });

  it('reads a Service in every encoding with a byte-order mark, and refuses the others', async () => {
    const service = Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n');
    await fc.assert(
      fc.asyncProperty(encodings(service), async ({ bytes, decodable }) => {
        const result = await loadDump(['-'], { stdin: Readable.from([Buffer.from(bytes)]) }).then(
          (snapshot) => snapshot.objects.map((o) => o.kind).join(','),
          (error: unknown) => (error instanceof AppError ? error.code : 'thrown'),
        );
        return result === (decodable ? 'Service' : 'E_INPUT_SYNTAX');
      }),
      options(50),
    );
  });
});
