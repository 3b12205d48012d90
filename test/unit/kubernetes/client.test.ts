import { AppError } from '../../../src/errors';
import { KubeClient } from '../../../src/kubernetes/client';
import { RequestTimeoutError, type RequestTarget } from '../../../src/kubernetes/errors';
import type { HttpRequest, HttpResponse, Transport } from '../../../src/kubernetes/transport';

const target: RequestTarget = { verb: 'list', resource: 'services', group: '' };
const ok = (body: unknown): HttpResponse => ({ status: 200, headers: {}, text: JSON.stringify(body) });
const fail = (status: number, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  text: JSON.stringify({ kind: 'Status', message: `status ${status}`, code: status }),
});

/** A transport answering from a script, one step per request; records what was sent. */
function scripted(steps: (HttpResponse | Error)[]): {
  transport: Transport;
  sent: HttpRequest[];
  timeouts: number[];
} {
  const sent: HttpRequest[] = [];
  const timeouts: number[] = [];
  const transport: Transport = (request, timeoutMs) => {
    sent.push(request);
    timeouts.push(timeoutMs);
    const step = steps.shift();
    if (step === undefined) return Promise.reject(new Error('script exhausted'));
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  };
  return { transport, sent, timeouts };
}

function client(transport: Transport, sleeps: number[] = []): KubeClient {
  return new KubeClient(transport, {
    requestTimeoutMs: 1234,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    clock: () => new Date('2026-11-26T12:00:00Z'),
    random: () => 1,
  });
}

const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('Kubernetes API client', () => {
  it('retries a 429 after the Retry-After the server asked for, then succeeds', async () => {
    const { transport, sent } = scripted([fail(429, { 'retry-after': '3' }), ok({ kind: 'Service' })]);
    const sleeps: number[] = [];
    await expect(
      client(transport, sleeps).json({ method: 'GET', path: '/api/v1/services' }, target),
    ).resolves.toEqual({
      kind: 'Service',
    });
    expect(sent).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('retries a 503 on a read with exponential backoff but gives up after five attempts', async () => {
    const { transport, sent } = scripted([fail(503), fail(503), fail(503), fail(503), fail(503), ok({})]);
    const sleeps: number[] = [];
    const error = await client(transport, sleeps)
      .json({ method: 'GET', path: '/api/v1/services' }, target)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('E_API');
    expect((error as AppError).message).toContain('answered 503');
    expect(sent).toHaveLength(5);
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
  });

  it('does not repeat a write the server may have applied (503 on PATCH)', async () => {
    const { transport, sent } = scripted([fail(503), ok({})]);
    await expect(
      client(transport).json(
        { method: 'PATCH', path: '/api/v1/namespaces/a/services/b', body: {} },
        { ...target, verb: 'patch' },
      ),
    ).rejects.toMatchObject({ code: 'E_API' });
    expect(sent).toHaveLength(1);
  });

  it('retries a dropped connection on a read, but not a timeout', async () => {
    const dropped = scripted([reset(), ok({ ok: 1 })]);
    await expect(client(dropped.transport).json({ method: 'GET', path: '/x' }, target)).resolves.toEqual({
      ok: 1,
    });
    expect(dropped.sent).toHaveLength(2);

    const slow = scripted([new RequestTimeoutError(1234), ok({})]);
    await expect(client(slow.transport).json({ method: 'GET', path: '/x' }, target)).rejects.toMatchObject({
      code: 'E_CLUSTER_TIMEOUT',
    });
    expect(slow.sent).toHaveLength(1);
    expect(slow.timeouts).toEqual([1234]);
  });

  it('reads a list page by page, passing limit and the continue token, and reports progress', async () => {
    const { transport, sent } = scripted([
      ok({
        metadata: { continue: 'tok-1' },
        items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
      }),
      ok({ metadata: { continue: 'tok-2' }, items: [{ metadata: { name: 'c' } }] }),
      ok({ metadata: {}, items: [{ metadata: { name: 'd' } }, 'garbage'] }),
    ]);
    const pages: string[] = [];
    const items = await client(transport).list('/api/v1/services', target, {
      pageSize: 2,
      onPage: (page, count) => pages.push(`${page}:${count}`),
    });
    expect(items.map((i) => (i.metadata as { name: string }).name)).toEqual(['a', 'b', 'c', 'd']);
    expect(sent.map((r) => r.query)).toEqual([
      { limit: 2, continue: undefined, labelSelector: undefined, fieldSelector: undefined },
      { limit: 2, continue: 'tok-1', labelSelector: undefined, fieldSelector: undefined },
      { limit: 2, continue: 'tok-2', labelSelector: undefined, fieldSelector: undefined },
    ]);
    expect(pages).toEqual(['1:2', '2:3', '3:4']);
  });

  it('starts a list again when its continue token expired (410 Gone)', async () => {
    const { transport, sent } = scripted([
      ok({ metadata: { continue: 'old' }, items: [{ n: 1 }] }),
      fail(410),
      ok({ metadata: {}, items: [{ n: 1 }, { n: 2 }] }),
    ]);
    await expect(client(transport).list('/api/v1/services', target)).resolves.toEqual([{ n: 1 }, { n: 2 }]);
    expect(sent.map((r) => r.query?.continue)).toEqual([undefined, 'old', undefined]);
  });
});
