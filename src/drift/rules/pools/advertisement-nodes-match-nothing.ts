/**
 * ADVERTISEMENT_NODES_MATCH_NOTHING: `nodeSelectors` is set and no Node of the snapshot matches, so no node
 * announces the advertisement's pools. Silent when the snapshot has no Nodes: absence of evidence is not drift.
 */
import { refOf } from '../../context';
import { labelsOf, nameOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { anySelectorMatches } from '../../selectors';
import { advertisementsOf } from './advertisements';
import { isSet, items, listField, written } from './list-field';

export const advertisementNodesMatchNothing: Rule = {
  name: 'advertisement-nodes-match-nothing',
  codes: ['ADVERTISEMENT_NODES_MATCH_NOTHING'],
  run(ctx) {
    if (ctx.nodes.length === 0) return [];
    const nodeLabels = ctx.nodes.map(labelsOf);
    return advertisementsOf(ctx).flatMap((adv): FindingDraft[] => {
      const field = listField(adv, 'spec', 'nodeSelectors');
      if (!isSet(field)) return [];
      const selectors = items(field);
      if (selectors.length > 0 && nodeLabels.some((labels) => anySelectorMatches(selectors, labels)))
        return [];
      const shown = written(field);
      return [
        {
          code: 'ADVERTISEMENT_NODES_MATCH_NOTHING',
          resource: refOf(adv),
          message:
            `${adv.kind} ${nameOf(adv)} has nodeSelectors ${JSON.stringify(shown)} that match none of the ` +
            `${ctx.nodes.length} Nodes: MetalLB announces its pools from no node (fix the selectors or the node labels)`,
          details: { selectors: shown, nodeCount: ctx.nodes.length },
        },
      ];
    });
  },
};
