/**
 * The API server misbehaving during fixes and checks (issue 12, "The API server"): 429 with Retry-After, 500,
 * dropped connections and time-outs (a delay beyond API_TIMEOUT), injected by the Kubernetes stand-in on the
 * writes and the reads of `reapply-config` run by a `worker` process, and on the reads of `/metallb check`.
 * A fix retries what is safe to retry (429 always, reads always) and finishes; a write that failed after a
 * change rolls back. Never half-applied: the config objects and every service's IP are compared with what was
 * read before, no pin is left, the Lease is released, and the thread has one outcome. A check finishes when a
 * retry gets through, and otherwise fails with a message that names the cause.
 */
import type { KubeObject } from '../../src/drift/model';
import type { FaultRule } from '../../tools/kube-stand-in';
import { eventually, textOf } from '../../tools/bot-harness';
import { pool, service } from '../integration/kube-stand-in/seed';
import { slash } from '../support/slack-fix';
import { pins } from '../support/stand-in-state';
import { configOf, FixLab, ipsBack, leaseHolder, NS, stateOf } from './support/fix-lab';
import { since } from './support/kill-points';

jest.setTimeout(90_000);

/** API_TIMEOUT of the bot: a request not answered within it is a time-out. */
const API_TIMEOUT_MS = 2000;
const POOLS = `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`;
const WEB = '/api/v1/namespaces/default/services/web';
/** The client's attempts per request (src/kubernetes/retry.ts): a fault this many times in a row is final. */
const ATTEMPTS = 5;

function objects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: NS },
      spec: {},
    },
    service('web', 'default', { ip: '10.0.0.6' }),
    service('api', 'default', { ip: '10.0.0.7' }),
  ];
}

type FaultKind = '429' | '500' | 'drop' | 'timeout';
const KINDS: FaultKind[] = ['429', '500', 'drop', 'timeout'];

function fault(kind: FaultKind, rule: Pick<FaultRule, 'method' | 'path' | 'count'>): FaultRule {
  switch (kind) {
    case '429':
      return { ...rule, status: 429, retryAfter: 1 };
    case '500':
      return { ...rule, status: 500 };
    case 'drop':
      return { ...rule, drop: true };
    case 'timeout':
      return { ...rule, delayMs: API_TIMEOUT_MS + 1500 };
  }
}

interface FixCase {
  kind: FaultKind;
  on: 'write' | 'read';
  /** How often in a row: once (a retry gets through) or every attempt of one request. */
  count: number;
  expected: 'done' | 'rolled back';
}

/**
 * Writes: the re-creation of the pool after its DELETE (a change is made by then); only a 429 is retried, a
 * write that may have been applied is not. Reads: a service read while the fix waits on MetalLB, after the
 * DELETE; retried by the client, and polled again by the wait when a whole request fails.
 */
const FIX_CASES: FixCase[] = [
  ...KINDS.map(
    (kind): FixCase => ({ kind, on: 'write', count: 1, expected: kind === '429' ? 'done' : 'rolled back' }),
  ),
  // A read of a wait that fails (even every attempt of one request, even a time-out the client does not retry)
  // is polled again within the settle timeout: one slow answer never rolls a whole fix back.
  ...KINDS.map((kind): FixCase => ({ kind, on: 'read', count: 1, expected: 'done' })),
  ...KINDS.map((kind): FixCase => ({ kind, on: 'read', count: ATTEMPTS, expected: 'done' })),
];

const CHECK_CLUSTERS = KINDS.map((kind) => `check-${kind}`);

let lab: FixLab;

beforeAll(async () => {
  lab = await FixLab.start({
    clusters: [...FIX_CASES.map((_, i) => `f${i}`), ...CHECK_CLUSTERS],
    objects,
    env: { API_TIMEOUT: `${API_TIMEOUT_MS}ms`, FIX_SETTLE_TIMEOUT: '20s' },
  });
  await lab.started('worker');
});

afterAll(async () => {
  await lab?.close();
});

describe.each(FIX_CASES.map((c, i) => ({ ...c, i })))(
  'reapply-config, $kind on a $on ($count in a row)',
  ({ kind, on, count, expected, i }) => {
    it(`${expected}: config and IPs equal to before, no pin, Lease released, one outcome`, async () => {
      const cluster = `f${i}`;
      const standIn = lab.standIn(cluster);
      const before = stateOf(standIn);
      const thread = await lab.request(cluster, 'fix reapply-config');
      const from = standIn.requests.length;
      if (on === 'write') standIn.setFaults([fault(kind, { method: 'POST', path: `^${POOLS}$`, count })]);
      await lab.approve(thread);
      if (on === 'read') {
        await eventually(
          () => since(standIn, from).some((r) => r.method === 'DELETE'),
          30_000,
          'the first DELETE',
        );
        standIn.setFaults([fault(kind, { method: 'GET', path: `^${WEB}$`, count })]);
      }
      const outcomes = await lab.outcome(thread, 80_000);
      const retried = lab.slack
        .thread(thread.channel, thread.parentTs)
        .filter((m) => textOf(m).includes('rollback incomplete, will retry')).length;
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toContain(`*${expected}*`);
      const faulted = since(standIn, from).filter((r) =>
        on === 'write' ? r.method === 'POST' && r.path === POOLS : r.method === 'GET' && r.path === WEB,
      );
      expect(faulted.length).toBeGreaterThan(0);
      expect(configOf(standIn)).toEqual(before.config);
      await ipsBack(standIn, before.ips);
      expect(pins(standIn)).toEqual([]);
      expect(leaseHolder(standIn)).toBeUndefined();
      process.stdout.write(
        `reapply-config, ${kind} on a ${on} ×${count}: ${expected}${retried > 0 ? ` after ${retried} incomplete rollback(s) retried` : ''}\n`,
      );
    });
  },
);

describe.each(KINDS.map((kind, i) => ({ kind, cluster: CHECK_CLUSTERS[i] as string })))(
  '/metallb check, $kind on the list of services',
  ({ kind, cluster }) => {
    it('once: the check finishes (a time-out is not retried: it fails); every attempt: a message naming the cause', async () => {
      const standIn = lab.standIn(cluster);
      const path = '^/api/v1/services$';
      const check = async (channel: string): Promise<string> => {
        await slash(lab.driver, `check --cluster ${cluster}`, { channel });
        const message = await lab.slack.waitFor(() => lab.slack.messages(channel)[0], 60_000);
        return textOf(message);
      };
      const cause: Record<FaultKind, RegExp> = {
        '429': /429|too many requests/i,
        '500': /500|internal/i,
        drop: /socket hang up|ECONNRESET|connection/i,
        timeout: /E_CLUSTER_TIMEOUT.*no answer within/i,
      };
      standIn.setFaults([fault(kind, { method: 'GET', path, count: 1 })]);
      const once = await check(lab.newChannel());
      expect(once).toContain(cluster);
      if (kind === 'timeout') expect(once).toMatch(cause[kind]);
      else expect(once).not.toMatch(/failed/);

      standIn.setFaults([fault(kind, { method: 'GET', path, count: 100 })]);
      const failed = await check(lab.newChannel());
      expect(failed).toMatch(/failed/);
      expect(failed).toMatch(cause[kind]);
      process.stdout.write(`check, ${kind} every time: ${failed.split('\n')[0]}\n`);
    });
  },
);
