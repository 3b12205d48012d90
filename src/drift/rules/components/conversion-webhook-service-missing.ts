/**
 * CONVERSION_WEBHOOK_SERVICE_MISSING: the BGPPeer CRD converts v1beta1/v1beta2 through a webhook Service that is
 * not there, typically `webhook-service` left from a release before the 0.14.4 rename
 * (docs/metallb-behaviour.md section 8).
 */
import { refOf } from '../../context';
import { nameOf, namespaceOf, str } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

const BGPPEER_CRD = 'bgppeers.metallb.io';
const WEBHOOK_SERVICE_NAMES = ['metallb-webhook-service', 'webhook-service'];

export const conversionWebhookServiceMissing: Rule = {
  name: 'conversion-webhook-service-missing',
  codes: ['CONVERSION_WEBHOOK_SERVICE_MISSING'],
  run: (ctx) =>
    ctx
      .ofKind('CustomResourceDefinition')
      .filter((crd) => nameOf(crd) === BGPPEER_CRD)
      .flatMap((crd): FindingDraft[] => {
        if (str(crd, 'spec', 'conversion', 'strategy') !== 'Webhook') return [];
        const service = ['spec', 'conversion', 'webhook', 'clientConfig', 'service'];
        const name = str(crd, ...service, 'name');
        // A URL-configured webhook, or none at all, is not a Service reference this rule can check.
        if (name === undefined || name === '') return [];
        const namespace = str(crd, ...service, 'namespace') ?? 'default';
        const services = ctx.ofKind('Service');
        if (services.some((s) => nameOf(s) === name && (namespaceOf(s) ?? 'default') === namespace))
          return [];
        const candidates = services
          .filter((s) => namespaceOf(s) === namespace && WEBHOOK_SERVICE_NAMES.includes(nameOf(s)))
          .map((s) => `${namespace}/${nameOf(s)}`);
        const hint = candidates.length > 0 ? ` (${candidates.join(', ')} exists)` : '';
        return [
          {
            code: 'CONVERSION_WEBHOOK_SERVICE_MISSING',
            resource: refOf(crd),
            message:
              `CustomResourceDefinition ${BGPPEER_CRD} converts through webhook Service ${namespace}/${name}, ` +
              `which does not exist${hint}; the API server fails to read or write BGPPeers in the other version ` +
              'and MetalLB cannot list them.',
            details: { service: { namespace, name }, others: candidates },
          },
        ];
      }),
};
