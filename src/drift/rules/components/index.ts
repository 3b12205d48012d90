/** The components and installation rules, in catalogue order. */
import type { Rule } from '../../rule';
import { componentLogErrors } from './component-log-errors';
import { configStale } from './config-stale';
import { configStateInvalid } from './config-state-invalid';
import { configStateUnknown } from './config-state-unknown';
import { controllerNotReady } from './controller-not-ready';
import { conversionWebhookServiceMissing } from './conversion-webhook-service-missing';
import { crdMissing } from './crd-missing';
import { legacyConfigmapPresent } from './legacy-configmap-present';
import { legacyCrdPresent } from './legacy-crd-present';
import { legacyResourcePresent } from './legacy-resource-present';
import { resourceOutsideNamespace } from './resource-outside-namespace';
import { speakerNotReady } from './speaker-not-ready';
import { speakerPredatesConfig } from './speaker-predates-config';

export const componentsRules: Rule[] = [
  configStateInvalid,
  configStateUnknown,
  configStale,
  componentLogErrors,
  speakerPredatesConfig,
  controllerNotReady,
  speakerNotReady,
  crdMissing,
  legacyCrdPresent,
  legacyResourcePresent,
  legacyConfigmapPresent,
  conversionWebhookServiceMissing,
  resourceOutsideNamespace,
];
