/** Building findings: stable ids, catalogue defaults, the report order. */
import { createHash } from 'node:crypto';
import { CATALOGUE, type FindingCode } from './catalogue';
import { SEVERITIES, type Finding, type FixName, type ResourceRef, type Severity } from './model';

/** `sha256(code|kind|namespace|name)`, first 16 hex characters; an empty string for a null namespace. */
export function findingId(code: string, resource: ResourceRef): string {
  const key = `${code}|${resource.kind}|${resource.namespace ?? ''}|${resource.name}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** What a rule returns: severity and fix default to the catalogue's. */
export interface FindingDraft {
  code: FindingCode;
  resource: ResourceRef;
  message: string;
  details: Record<string, unknown>;
  severity?: Severity;
  fix?: FixName | null;
}

export function makeFinding(draft: FindingDraft): Finding {
  const entry = CATALOGUE[draft.code];
  return {
    id: findingId(draft.code, draft.resource),
    code: draft.code,
    severity: draft.severity ?? entry.severity,
    resource: draft.resource,
    message: draft.message,
    details: draft.details,
    fix: draft.fix === undefined ? entry.fix : draft.fix,
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Report order: severity (critical first), then code, kind, namespace, name. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.code, b.code) ||
    compareText(a.resource.kind, b.resource.kind) ||
    compareText(a.resource.namespace ?? '', b.resource.namespace ?? '') ||
    compareText(a.resource.name, b.resource.name)
  );
}
