/** Reading list fields of MetalLB specs where "absent", "empty" and "of the wrong type" mean different things. */
import { at } from '../../fields';

/**
 * A list field as written: `absent` (missing or null), a `list`, or `malformed` (present but not a list). The
 * API server stores none of the malformed ones, so they come from hand-written dumps; rules treat them as set
 * but selecting nothing, never as "empty" (an empty advertisement selects every pool).
 */
export type ListField =
  | { state: 'absent' }
  | { state: 'list'; items: unknown[] }
  | { state: 'malformed'; value: unknown };

/** Reads the list field at a path. */
export function listField(obj: unknown, ...path: string[]): ListField {
  const value = at(obj, ...path);
  if (value === undefined || value === null) return { state: 'absent' };
  if (Array.isArray(value)) return { state: 'list', items: value };
  return { state: 'malformed', value };
}

/** Whether a list field is set: present, and either a non-empty list or malformed. */
export function isSet(field: ListField): boolean {
  return field.state === 'malformed' || (field.state === 'list' && field.items.length > 0);
}

/** The string items of a list field (others dropped); `[]` when absent or malformed. */
export function stringItems(field: ListField): string[] {
  return field.state === 'list' ? field.items.filter((x): x is string => typeof x === 'string') : [];
}

/** The items of a list field; `[]` when absent or malformed. */
export function items(field: ListField): unknown[] {
  return field.state === 'list' ? field.items : [];
}

/** Joins names for a message, at most `limit` of them, then "and N more". */
export function listForMessage(names: readonly string[], limit = 5): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

/** The value as written, for messages and details (`undefined` when absent). */
export function written(field: ListField): unknown {
  return field.state === 'list' ? field.items : field.state === 'malformed' ? field.value : undefined;
}
