/**
 * A proposal as text (what `/metallb change` pastes, and what `apply -f` carries to the plan): the objects the
 * preview reads, parsed as `preview -f` parses a file (YAML, several documents or a List, or JSON), copies of one
 * object kept once. A MetalLB object without a name cannot be applied.
 */
import { nameOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';
import { AppError } from '../errors';
import { isConfigKind } from '../fixes/config-objects';
import { mergeObjects } from '../snapshot/merge';
import { parseDumpText } from '../snapshot/parse';

/** Throws E_PROPOSAL_INVALID naming `where` when a MetalLB config object has no metadata.name. */
export function checkNamed(objects: readonly KubeObject[], where: string, command = 'preview'): void {
  const unnamed = objects.filter((o) => isConfigKind(o.kind) && nameOf(o) === '');
  if (unnamed.length > 0)
    throw new AppError(
      'E_PROPOSAL_INVALID',
      `${command}: ${unnamed.length} ${unnamed[0]?.kind ?? ''} object(s) in ${where} have no metadata.name`,
    );
}

/** The objects of a proposal text; E_INPUT_SYNTAX with the line, E_INPUT_EMPTY, or E_PROPOSAL_INVALID. */
export function parseProposalText(text: string, source: string): KubeObject[] {
  const parsed = parseDumpText(text, source);
  if (parsed.objects.length === 0)
    throw new AppError('E_INPUT_EMPTY', `${source}: the proposal holds no Kubernetes objects`);
  const { objects } = mergeObjects(parsed.objects.map((obj) => ({ obj, file: source })));
  checkNamed(objects, source, 'apply');
  return objects;
}

/** The proposal text `apply -f` hands on: the objects it read, as one JSON List (parsed back exactly). */
export function proposalTextOf(objects: readonly KubeObject[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
}
