/** CONFIG_STATE_INVALID: MetalLB says the stored configuration does not load. */
import type { Rule } from '../../rule';
import { configurationStates, refText } from './config-state';

export const configStateInvalid: Rule = {
  name: 'config-state-invalid',
  codes: ['CONFIG_STATE_INVALID'],
  run: (ctx) =>
    configurationStates(ctx)
      .filter((state) => state.result === 'Invalid')
      .map((state) => ({
        code: 'CONFIG_STATE_INVALID',
        resource: state.ref,
        message:
          `ConfigurationState ${refText(state.ref)} reports the configuration of ${state.component} as Invalid` +
          `${state.errorSummary === null ? '' : ` (${state.errorSummary.split('\n')[0]})`}; ` +
          'MetalLB keeps running on the last configuration it accepted until the error is fixed.',
        details: { errorSummary: state.errorSummary },
      })),
};
