import { answerLate } from '../../../src/slack/late-answer';
import { SlackDeliveryError, type DeliveryFailure } from '../../../src/slack/transport';

/** A response_url that fails as scripted, then accepts; records every body and the waits in between. */
function scripted(failures: DeliveryFailure[]): {
  send: (url: string, body: { text: string }) => Promise<void>;
  sent: string[];
  waits: number[];
  sleep: (ms: number) => Promise<void>;
} {
  const sent: string[] = [];
  const waits: number[] = [];
  return {
    sent,
    waits,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    send: (_url, body) => {
      const failure = failures.shift();
      if (failure) return Promise.reject(new SlackDeliveryError(failure));
      sent.push(body.text);
      return Promise.resolve();
    },
  };
}

describe('answerLate', () => {
  it('waits out Retry-After and backs off through 5xx and time-outs, then sends', async () => {
    const s = scripted([
      { kind: 'rate-limited', retryAfterMs: 2000 },
      { kind: 'unavailable', detail: 'response_url HTTP 500' },
      { kind: 'unavailable', detail: 'response_url request failed' },
    ]);
    const result = await answerLate(s.send, 'https://hooks/x', { text: 'starts now' }, { sleep: s.sleep });
    expect(result).toEqual({ sent: true, attempts: 4 });
    expect(s.sent).toEqual(['starts now']);
    expect(s.waits).toEqual([2000, 1000, 2000]);
  });

  it('does not retry a refusal (a used or expired URL)', async () => {
    const s = scripted([{ kind: 'permanent', detail: 'response_url HTTP 404' }]);
    const result = await answerLate(s.send, 'https://hooks/x', { text: 'a' }, { sleep: s.sleep });
    expect(result).toEqual({ sent: false, attempts: 1, detail: 'response_url HTTP 404' });
    expect(s.waits).toEqual([]);
  });

  it('gives up after the attempts, saying why', async () => {
    const down: DeliveryFailure = { kind: 'unavailable', detail: 'response_url HTTP 503' };
    const s = scripted([down, down, down]);
    const result = await answerLate(
      s.send,
      'https://hooks/x',
      { text: 'a' },
      { sleep: s.sleep, attempts: 3, backoffMs: 10 },
    );
    expect(result).toEqual({ sent: false, attempts: 3, detail: 'response_url HTTP 503' });
    expect(s.waits).toEqual([10, 20]);
    expect(s.sent).toEqual([]);
  });
});
