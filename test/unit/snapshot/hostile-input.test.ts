/**
 * Hostile and odd dump input (docs/findings.md, "Dump layout"): each is an E_INPUT_SYNTAX naming the file and
 * saying what is wrong, never an internal error; text with a byte-order mark is decoded.
 */
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../src/errors';
import { decodeInput } from '../../../src/snapshot/decode';
import { loadDump } from '../../../src/snapshot/load';
import { MAX_NESTING } from '../../../src/snapshot/nesting';
import { parseDumpText } from '../../../src/snapshot/parse';

const SERVICE_YAML =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: LoadBalancer\n';

function syntaxError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw new Error(`expected an AppError, got ${String(error)}`);
  }
  throw new Error('expected an error, got none');
}

const DEEP = 5000;
const aliasBomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefgh'.split('').map((k, i) => {
    const prev = 'abcdefgh'[i] as string;
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('hostile text is an input error naming the file', () => {
  it.each([
    [
      'YAML flow sequences nested deep',
      '['.repeat(DEEP) + ']'.repeat(DEEP),
      /nesting deeper than the reader allows/,
    ],
    ['YAML flow mappings nested deep', '{a: '.repeat(DEEP) + '1' + '}'.repeat(DEEP), /nesting deeper/],
    ['YAML compact sequences nested deep', '- '.repeat(DEEP) + 'x\n', /nesting deeper/],
    [
      'YAML block mappings nested deep',
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
      /nesting deeper/,
    ],
    ['JSON arrays nested deep', '['.repeat(100_000) + ']'.repeat(100_000), /nesting deeper/],
    ['JSON objects nested deep', '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), /nesting deeper/],
    ['invalid JSON nested deep', '['.repeat(DEEP) + ']'.repeat(DEEP - 1), /nesting deeper/],
    ['a YAML alias bomb', aliasBomb, /aliases expand beyond the reader's limit/],
  ])('%s', (_case, text, why) => {
    const error = syntaxError(() => parseDumpText(text, 'evil.yaml'));
    expect(error.code).toBe('E_INPUT_SYNTAX');
    expect(error.message).toMatch(/^evil\.yaml( line \d+)?: /);
    expect(error.message).toMatch(why);
  });

  it('names the line where the nesting gets too deep', () => {
    const text = `${SERVICE_YAML}---\nx: ${'['.repeat(MAX_NESTING + 1)}\n`;
    expect(syntaxError(() => parseDumpText(text, 'f.yaml')).message).toMatch(/^f\.yaml line 9: nesting/);
  });

  it('accepts nesting as deep as real objects go, with indentation, flow and quoted brackets', () => {
    const depth = 60;
    const block = Array.from({ length: depth }, (_, i) => `${'  '.repeat(i + 1)}p${i}:`).join('\n');
    const text =
      `${SERVICE_YAML}  annotations:\n    note: "[[[[[[[[[[[[[[ { {"\n    other: '[[[[ it''s'\n` +
      `status:\n${block} {a: [[[1]]]}\n`;
    const parsed = parseDumpText(text, 'crd.yaml');
    expect(parsed.objects).toHaveLength(1);
    const json = JSON.stringify({
      kind: 'X',
      deep: JSON.parse('['.repeat(150) + ']'.repeat(150)) as unknown,
    });
    expect(parseDumpText(json, 'x.json').objects).toHaveLength(1);
  });
});

describe('decodeInput', () => {
  const encode16 = (text: string, bigEndian: boolean): Buffer => {
    const bytes = Buffer.from(text, 'utf16le');
    if (bigEndian) bytes.swap16();
    return Buffer.concat([Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]), bytes]);
  };
  const encode32 = (text: string, bigEndian: boolean): Buffer => {
    const points = [0xfeff, ...Array.from(text, (c) => c.codePointAt(0) as number)];
    const out = Buffer.alloc(points.length * 4);
    points.forEach((p, i) => (bigEndian ? out.writeUInt32BE(p, i * 4) : out.writeUInt32LE(p, i * 4)));
    return out;
  };
  const text = `${SERVICE_YAML}  labels:\n    team: "caf\u00e9 \u{1F680}"\n`;

  it.each([
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ['UTF-16LE with a BOM (PowerShell 5.1)', encode16(text, false)],
    ['UTF-16BE with a BOM', encode16(text, true)],
    ['UTF-32LE with a BOM', encode32(text, false)],
    ['UTF-32BE with a BOM', encode32(text, true)],
    ['plain UTF-8', Buffer.from(text)],
  ])('decodes %s', (_case, bytes) => {
    expect(decodeInput(bytes, 'f.yaml')).toBe(text);
  });

  it.each([
    ['gzip', gzipSync(Buffer.from(text)), /gzip-compressed data/],
    ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /zip archive/],
    [
      'binary bytes with NUL',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0]),
      /binary data \(a NUL byte at byte 7/,
    ],
    ['UTF-16 without a BOM', Buffer.from(text, 'utf16le'), /NUL byte.*byte-order mark/],
    ['Latin-1 bytes', Buffer.from('kind: Service\nname: caf\xe9\n', 'latin1'), /not UTF-8/],
    ['odd-length UTF-16', Buffer.from([0xff, 0xfe, 0x41]), /UTF-16 text cut/],
    ['a UTF-32 code point past Unicode', Buffer.from([0xff, 0xfe, 0, 0, 0, 0, 0x11, 0]), /invalid UTF-32/],
  ])('refuses %s as E_INPUT_SYNTAX', (_case, bytes, why) => {
    const error = syntaxError(() => decodeInput(bytes, 'dump.yaml'));
    expect(error.code).toBe('E_INPUT_SYNTAX');
    expect(error.message).toMatch(/^dump\.yaml: /);
    expect(error.message).toMatch(why);
  });
});

describe('loadDump on hostile files', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads a UTF-16 file PowerShell wrote', async () => {
    const file = path.join(tmp, 'ps.yaml');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SERVICE_YAML, 'utf16le')]));
    const snapshot = await loadDump([file]);
    expect(snapshot.objects.map((o) => o.kind)).toEqual(['Service']);
  });

  it('names the gzipped file in a directory', async () => {
    const dir = path.join(tmp, 'dir');
    await writeFile(path.join(tmp, 'ok.yaml'), SERVICE_YAML);
    await mkdir(dir);
    const file = path.join(dir, 'objects.yaml');
    await writeFile(file, gzipSync(Buffer.from(SERVICE_YAML)));
    const error = await loadDump([dir]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('E_INPUT_SYNTAX');
    expect((error as AppError).message).toBe(
      `${file}: gzip-compressed data (decompress it first, e.g. gunzip), not YAML or JSON text`,
    );
  });
});
