/**
 * The `--ignore FILE` mutes file: a YAML list of {id, findingId | code [+kind, namespace, name], reason,
 * expires?} (README.md, "Mutes"). Validated strictly: a typo in a mute would silently un-mute a finding
 * or mute the wrong one, so every problem is an E_MUTES_INVALID naming the item and field.
 */
import { parseDocument } from 'yaml';
import { isFindingCode } from '../drift/catalogue';
import type { Mute } from '../drift/model';
import { AppError } from '../errors';
import { yamlErrorAt } from '../yaml-error';

const FIELDS = new Set(['id', 'findingId', 'code', 'kind', 'namespace', 'name', 'reason', 'expires']);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const fail = (file: string, message: string): never => {
  throw new AppError('E_MUTES_INVALID', `${file}: ${message}`);
};

function optionalString(item: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    return fail(where, `${field} must be a non-empty string`);
  return value;
}

const PATTERN_FIELDS = ['kind', 'namespace', 'name'] as const;

/** What the mute matches: a finding id, or a code with an optional resource pattern. */
function parseTarget(record: Record<string, unknown>, where: string): Partial<Mute> {
  const findingId = optionalString(record, 'findingId', where);
  const code = optionalString(record, 'code', where);
  if ((findingId === undefined) === (code === undefined))
    fail(where, 'needs exactly one of findingId or code');
  if (findingId !== undefined) {
    if (!/^[0-9a-f]{16}$/.test(findingId)) fail(where, 'findingId must be 16 hex characters');
    const extra = PATTERN_FIELDS.filter((k) => record[k] !== undefined);
    if (extra.length > 0) fail(where, `${extra.join(', ')} can only be used with code, not findingId`);
    return { findingId };
  }
  if (!isFindingCode(code!)) fail(where, `unknown code ${code}`);
  const target: Partial<Mute> = { code: code! };
  for (const field of PATTERN_FIELDS) {
    const value = optionalString(record, field, where);
    if (value !== undefined) target[field] = value;
  }
  return target;
}

function parseExpires(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  // YAML may read an unquoted timestamp as a Date under some schemas; accept it as the same instant.
  const text = value instanceof Date ? value.toISOString() : value;
  if (typeof text !== 'string' || !ISO_TIME.test(text) || Number.isNaN(Date.parse(text))) {
    return fail(where, 'expires must be an ISO-8601 time such as 2026-12-31T00:00:00Z');
  }
  return text;
}

function parseMute(item: unknown, where: string): Mute {
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    return fail(where, 'must be a mapping');
  const record = item as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) fail(where, `unknown field ${unknown.join(', ')}`);
  const id = optionalString(record, 'id', where);
  if (id === undefined || !/^m-[0-9a-f]{8}$/.test(id))
    return fail(where, 'id must be "m-" and 8 hex characters');
  const reason = optionalString(record, 'reason', where) ?? fail(where, 'reason is required');
  const target = parseTarget(record, where);
  const expires = parseExpires(record.expires, where);
  return { id, ...target, reason, ...(expires === undefined ? {} : { expires }) };
}

/** Parses and validates a mutes file's text. `file` names it in errors. */
export function parseMutes(text: string, file: string): Mute[] {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const { where, message } = yamlErrorAt(file, error);
    fail(where, message);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) return fail(file, 'must be a YAML list of mutes');
  const mutes = value.map((item, i) => parseMute(item, `${file} item ${i + 1}`));
  const seen = new Set<string>();
  for (const mute of mutes) {
    if (seen.has(mute.id)) fail(file, `mute id ${mute.id} appears twice`);
    seen.add(mute.id);
  }
  return mutes;
}

/** Notes for mutes that expired, so a report says why a finding came back. */
export function expiredMuteNotes(mutes: readonly Mute[], now: Date): string[] {
  return mutes
    .filter((m) => m.expires !== undefined && Date.parse(m.expires) <= now.getTime())
    .map((m) => `mute ${m.id} expired at ${m.expires} and no longer applies (${m.reason})`);
}
