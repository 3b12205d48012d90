/**
 * `views.open` over the WebClient, for modals opened from a click. The trigger_id of a click is valid for about 3
 * seconds, so there is no retry: a failure is reported to the clicker instead.
 */
import { webApi, type types } from '@slack/bolt';

export type ViewOpener = (triggerId: string, view: types.ModalView) => Promise<void>;

export function webClientViewOpener(options: {
  token: string;
  apiUrl: string;
  timeoutMs?: number;
}): ViewOpener {
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 2500,
    logLevel: webApi.LogLevel.ERROR,
  });
  return async (triggerId, view) => {
    await client.views.open({ trigger_id: triggerId, view });
  };
}
