/** CONFIG_STATE_UNKNOWN: MetalLB could not tell whether the stored configuration loads. */
import type { Rule } from '../../rule';
import { configurationStates, refText } from './config-state';

export const configStateUnknown: Rule = {
  name: 'config-state-unknown',
  codes: ['CONFIG_STATE_UNKNOWN'],
  run: (ctx) =>
    configurationStates(ctx)
      .filter((state) => state.result === 'Unknown')
      .map((state) => ({
        code: 'CONFIG_STATE_UNKNOWN',
        resource: state.ref,
        message:
          `ConfigurationState ${refText(state.ref)} reports the configuration state of ${state.component} as ` +
          `Unknown${state.errorSummary === null ? '' : ` (${state.errorSummary.split('\n')[0]})`}; ` +
          'MetalLB may not have loaded the stored configuration, so check its logs.',
        details: { errorSummary: state.errorSummary },
      })),
};
