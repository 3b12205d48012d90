/**
 * Checking a proposed MetalLB config from the change modal before anything reads the cluster (pure): it parses
 * as YAML or JSON in the formats `preview -f` reads, holds at least one object, and every object is a named
 * MetalLB config object (IPAddressPool, L2Advertisement, BGPAdvertisement, BGPPeer, BFDProfile, Community) named
 * once. A GitOps directory may hold more, but a dialog that says "apply this" must not silently drop half of it.
 */
import { nameOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';
import { isAppError } from '../errors';
import { CONFIG_KINDS, configKey, isConfigKind } from '../fixes/config-objects';
import { parseDumpText } from '../snapshot/parse';

/** Slack's multi-line plain_text_input holds at most 3,000 characters; a forged submission may send more. */
export const MAX_PASTED_CHARS = 3000;

export type ProposalCheck = { ok: true; objects: KubeObject[] } | { ok: false; problem: string };

const list = (items: readonly string[], max = 5): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

/** Parses and checks the text of a proposal; `name` says where it came from in the problem ("the pasted YAML"). */
export function checkProposalText(text: string, name: string): ProposalCheck {
  if (text.trim() === '') return { ok: false, problem: `${name} is empty` };
  let objects: KubeObject[];
  try {
    objects = parseDumpText(text, name).objects;
  } catch (error) {
    if (isAppError(error)) return { ok: false, problem: error.message };
    throw error;
  }
  if (objects.length === 0) return { ok: false, problem: `${name} holds no Kubernetes object` };
  const foreign = objects.filter(
    (o) =>
      !isConfigKind(o.kind) || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('metallb.io/'),
  );
  if (foreign.length > 0)
    return {
      ok: false,
      problem:
        `not MetalLB config: ${list(foreign.map((o) => `${o.apiVersion ?? '?'} ${o.kind}/${nameOf(o) || '(no name)'}`))}. ` +
        `Only ${CONFIG_KINDS.join(', ')} of metallb.io can be applied here`,
    };
  const unnamed = objects.filter((o) => nameOf(o) === '');
  if (unnamed.length > 0)
    return {
      ok: false,
      problem: `${unnamed.length} ${unnamed[0]?.kind ?? ''} object(s) have no metadata.name`,
    };
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const o of objects) {
    const key = configKey(o);
    if (seen.has(key)) twice.add(key);
    seen.add(key);
  }
  if (twice.size > 0) return { ok: false, problem: `named more than once: ${list([...twice])}` };
  return { ok: true, objects };
}
