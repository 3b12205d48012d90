/**
 * An answer written to a response_url after the ack (a fix request's "starts now", an answer that took longer
 * than the ack deadline, a button's answer). It does not go through the outbox, since it must reach the user
 * even while Redis is down; so it honours `Retry-After` and retries while Slack answers 5xx or times out, for a
 * bounded time, instead of being lost at the first failure. Refusals (a used or expired URL) are not retried.
 */
import { classifySlackError, type SlackTransport } from './transport';

export type RespondBody = Parameters<SlackTransport['respond']>[1];

export interface LateAnswerOptions {
  /** Attempts in all (default 6: about a minute of backoff while Slack is down). */
  attempts?: number;
  /** First backoff after a 5xx or a time-out, doubled each time (default 1 s). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** What became of the answer: sent, or why not (for the log). */
export type LateAnswerResult =
  | { sent: true; attempts: number }
  | { sent: false; attempts: number; detail: string };

/** Posts `body` to `url` with `send` (the transport's respond), retrying what Slack may still accept. */
export async function answerLate(
  send: SlackTransport['respond'],
  url: string,
  body: RespondBody,
  options: LateAnswerOptions = {},
): Promise<LateAnswerResult> {
  const attempts = options.attempts ?? 6;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let backoff = options.backoffMs ?? 1000;
  let detail = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      await send(url, body);
      return { sent: true, attempts: attempt };
    } catch (error) {
      const failure = classifySlackError(error);
      if (failure.kind === 'rate-limited') {
        detail = 'rate limited';
        if (attempt < attempts) await sleep(failure.retryAfterMs);
        continue;
      }
      detail = failure.detail;
      if (failure.kind !== 'unavailable') return { sent: false, attempts: attempt, detail };
      if (attempt < attempts) await sleep(backoff);
      backoff *= 2;
    }
  }
  return { sent: false, attempts, detail };
}
