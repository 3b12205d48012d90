/**
 * Bytes of a dump file to text. kubectl writes UTF-8, but Windows PowerShell 5.1's `>` writes UTF-16 with a
 * byte-order mark, and other tools UTF-32: text with a BOM is decoded by it. Compressed or binary bytes are an
 * input error that says what the file holds, rather than text the YAML parser reads as nothing.
 */
import { AppError } from '../errors';

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** Byte-order marks, longest first: UTF-32LE's mark begins with UTF-16LE's. */
const MARKS: readonly { bytes: readonly number[]; encoding: Encoding }[] = [
  { bytes: [0xff, 0xfe, 0, 0], encoding: 'utf-32le' },
  { bytes: [0, 0, 0xfe, 0xff], encoding: 'utf-32be' },
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);

/** The encoding a byte-order mark names, and the mark's length. */
function byteOrderMark(bytes: Uint8Array): { encoding: Encoding; length: number } | undefined {
  const mark = MARKS.find((m) => startsWith(bytes, m.bytes));
  return mark === undefined ? undefined : { encoding: mark.encoding, length: mark.bytes.length };
}

/** Magic numbers of the compressed and archive formats a user may pass by mistake. */
const MAGIC: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed data (decompress it first, e.g. gunzip)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (extract it first)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data (decompress it first, e.g. unzstd)' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data (decompress it first, e.g. bunzip2)' },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    what: 'xz-compressed data (decompress it first, e.g. unxz)',
  },
];

function syntaxError(name: string, what: string): AppError {
  return new AppError('E_INPUT_SYNTAX', `${name}: ${what}, not YAML or JSON text`);
}

function decodeUtf16(bytes: Uint8Array, bigEndian: boolean, name: string): string {
  if (bytes.length % 2 !== 0) throw syntaxError(name, 'UTF-16 text cut in the middle of a character');
  const copy = Buffer.from(bytes);
  if (bigEndian) copy.swap16();
  return copy.toString('utf16le');
}

function decodeUtf32(bytes: Uint8Array, bigEndian: boolean, name: string): string {
  if (bytes.length % 4 !== 0) throw syntaxError(name, 'UTF-32 text cut in the middle of a character');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) {
    const code = view.getUint32(offset, !bigEndian);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw syntaxError(name, `invalid UTF-32 character 0x${code.toString(16)} at byte ${offset}`);
    }
    chunk.push(code);
    // fromCodePoint takes its arguments on the stack: a few thousand at a time.
    if (chunk.length === 4096) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  return parts.join('');
}

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw syntaxError(
      name,
      'bytes that are not UTF-8 (binary data, or text in another encoding: save it as UTF-8)',
    );
  }
}

/**
 * Decodes the bytes of one input named `name`. Throws AppError E_INPUT_SYNTAX for compressed or binary bytes
 * (a NUL byte never occurs in YAML or JSON text without a BOM), and for text that is not valid in its encoding.
 */
export function decodeInput(bytes: Uint8Array, name: string): string {
  const bom = byteOrderMark(bytes);
  if (bom !== undefined) {
    const body = bytes.subarray(bom.length);
    switch (bom.encoding) {
      case 'utf-8':
        return decodeUtf8(body, name);
      case 'utf-16le':
      case 'utf-16be':
        return decodeUtf16(body, bom.encoding === 'utf-16be', name);
      default:
        return decodeUtf32(body, bom.encoding === 'utf-32be', name);
    }
  }
  const magic = MAGIC.find((m) => startsWith(bytes, m.bytes));
  if (magic !== undefined) throw syntaxError(name, magic.what);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw syntaxError(
      name,
      `binary data (a NUL byte at byte ${nul}; UTF-16 or UTF-32 text needs a byte-order mark)`,
    );
  }
  return decodeUtf8(bytes, name);
}
