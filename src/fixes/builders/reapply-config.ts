/**
 * reapply-config: the seed's "delete everything and re-apply" made safe (DESIGN.md, issue 9, ADR 0005). Object
 * by object: delete, wait for the controller to see it, re-create from the backup, wait for the pinned
 * services to hold their IPs again. Refused below 0.14.2, whose controller refuses a config that strands
 * assigned IPs and keeps running on the old one (research/metallb.md section 4).
 */
import { at, nameOf } from '../../drift/fields';
import type { KubeObject } from '../../drift/model';
import { configObjectsIn, peerPassword } from '../config-objects';
import { buildConfigSteps, type ConfigChange } from '../config-steps';
import type { PlanOutcome, PlanWarning } from '../plan';
import type { FixContext } from '../request';
import { makePlan, nothingToFix, refused } from './skeleton';
import { STRANDED_IPS_CLEARED_FROM } from '../../drift/version';

/** BFDProfiles a BGPPeer names: MetalLB's webhook refuses to delete them ("used by BGPPeer"). */
function bfdInUse(objects: readonly KubeObject[]): Map<string, string> {
  const used = new Map<string, string>();
  for (const peer of objects.filter((o) => o.kind === 'BGPPeer')) {
    const profile = at(peer, 'spec', 'bfdProfile');
    if (typeof profile === 'string' && profile !== '') used.set(profile, nameOf(peer));
  }
  return used;
}

export function versionWarning(fc: FixContext): PlanWarning[] {
  return fc.ctx.version === undefined
    ? [
        {
          kind: 'version',
          text:
            'The MetalLB version is unknown: pins are written under both annotation prefixes. Below 0.14.2 the ' +
            'controller refuses a config that strands assigned IPs; if this cluster runs one, use restart-controller.',
        },
      ]
    : [];
}

export function buildReapplyConfig(fc: FixContext): PlanOutcome {
  if (fc.ctx.versionAtLeast(STRANDED_IPS_CLEARED_FROM) === false)
    return refused(
      fc,
      `MetalLB ${fc.ctx.versionText} is older than ${STRANDED_IPS_CLEARED_FROM}: its controller refuses a config that strands assigned ` +
        'IPs and keeps running on the old one, so deleting and re-creating config objects changes nothing it uses',
      'Run restart-controller: a restarted controller reloads the config from scratch.',
    );
  const objects = configObjectsIn(fc.ctx.objects, fc.ctx.namespace);
  if (objects.length === 0)
    return nothingToFix(fc, `There are no MetalLB config objects in ${fc.ctx.namespace} to re-apply.`);
  const live = new Map(
    fc.ctx.objects.map((o) => [`${o.kind}/${nameOf(o)}/${o.metadata?.namespace ?? ''}`, o]),
  );
  const used = bfdInUse(objects);
  const warnings: PlanWarning[] = [];
  const changes: ConfigChange[] = [];
  for (const manifest of objects) {
    const name = nameOf(manifest);
    const peer = manifest.kind === 'BFDProfile' ? used.get(name) : undefined;
    if (peer !== undefined) {
      warnings.push({
        kind: 'skipped',
        text: `BFDProfile ${name} is left in place: BGPPeer ${peer} uses it, and MetalLB's webhook refuses to delete it.`,
      });
      continue;
    }
    const liveObj = live.get(`${manifest.kind}/${name}/${fc.ctx.namespace}`) ?? manifest;
    changes.push({
      change: 'recreate',
      live: liveObj,
      manifest,
      passwordFrom: peerPassword(manifest) === undefined ? 'none' : 'backup',
    });
  }
  const built = buildConfigSteps(fc, changes, objects);
  const kinds = new Set(objects.map((o) => o.kind));
  return makePlan(fc, {
    targets: [],
    dropped: [],
    steps: built.steps,
    effect:
      `Every MetalLB config object (${objects.length}: ${[...kinds].join(', ')}) is deleted and re-created from the ` +
      `backup, one at a time, so MetalLB reloads it; ${built.pinned} service${built.pinned === 1 ? '' : 's'} ` +
      'pinned to their IPs meanwhile, so each keeps its IP.',
    warnings: [...versionWarning(fc), ...warnings, ...built.warnings],
  });
}
