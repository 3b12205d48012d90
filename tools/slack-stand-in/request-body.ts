import type { IncomingMessage } from 'node:http';
import type { CallArgs } from './types';

/** Form fields Slack's Web API receives as JSON strings (the WebClient JSON-encodes every object argument). */
const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'files',
  'metadata',
  'file_uploads',
  'unfurls',
  'view',
]);

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks);
}

function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // Slack would reject it; keep the raw text so the test can see what was sent.
    return value;
  }
}

function fromForm(text: string): CallArgs {
  const args: CallArgs = {};
  for (const [key, value] of new URLSearchParams(text)) args[key] = decodeField(key, value);
  return args;
}

async function fromMultipart(raw: Buffer, contentType: string): Promise<CallArgs> {
  // undici's Request (Node's fetch) ships a spec-compliant multipart parser, so no dependency is needed.
  const form = await new Request('http://stand-in.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: raw,
  }).formData();
  const args: CallArgs = {};
  for (const [key, value] of form) {
    args[key] = typeof value === 'string' ? decodeField(key, value) : Buffer.from(await value.arrayBuffer());
  }
  return args;
}

/** Parses a request body the way Slack does: form-encoded, multipart, or JSON; query parameters are merged in. */
export async function parseArgs(raw: Buffer, contentType: string, query: URLSearchParams): Promise<CallArgs> {
  const args: CallArgs = {};
  for (const [key, value] of query) args[key] = decodeField(key, value);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return args;
  if (type === 'application/x-www-form-urlencoded') return { ...args, ...fromForm(raw.toString('utf8')) };
  if (type === 'multipart/form-data') return { ...args, ...(await fromMultipart(raw, contentType)) };
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return { ...args, ...(parsed as CallArgs) };
      }
      return { ...args, body: parsed };
    } catch {
      return { ...args, body: raw.toString('utf8') };
    }
  }
  return { ...args, body: raw };
}

export function str(args: CallArgs, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
