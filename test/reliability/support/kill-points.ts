/**
 * Where to kill a process during a fix, picked from a recorded run of the same fix, and how to hold the fix
 * there with the Kubernetes stand-in's faults only (no hook in the bot): the request that follows the step is
 * held (`delayMs`) and never reaches the API server (`drop`), so the process is killed exactly after the step;
 * for "during the wait after a create" the create goes through and MetalLB is paused (`setSimulateDelay`) until
 * the process is killed, so the step is still waiting for the services to get their IPs back.
 */
import type { FaultRule, KubeStandIn, RecordedRequest } from '../../../tools/kube-stand-in';
import { eventually } from '../../../tools/bot-harness';
import {
  escapeRegex,
  isFixWrite,
  isServiceRead,
  isServiceWrite,
  leaseHolder,
  REACT_MS,
  type FixLab,
  type FixThread,
  type Role,
} from './fix-lab';
import type { BotProcess } from './bot-process';

/** Long enough for any kill to land (below the labs' API_TIMEOUT); the stand-in ends held requests when it closes. */
const HOLD_MS = 80_000;
/** MetalLB paused while a wait is to be interrupted; `release` lets it react at once. */
const PAUSED_MS = 10 * 60_000;
const SERVICES_LIST = '/api/v1/services';

export interface KillPoint {
  /** "after the backup", "after DELETE IPAddressPool prod", ... */
  step: string;
  /** The held request: the `nth` request with this method and path since the fault was set. */
  method: string;
  path: string;
  nth: number;
  /** The kill waits for the held request to be answered and then lands in the wait after it. */
  waitAfter: boolean;
}

function describe(r: RecordedRequest): string {
  const parts = r.path.split('/');
  const kinds: Record<string, string> = {
    ipaddresspools: 'IPAddressPool',
    l2advertisements: 'L2Advertisement',
    bgpadvertisements: 'BGPAdvertisement',
    bgppeers: 'BGPPeer',
    services: 'Service',
  };
  const last = parts.at(-1) ?? '';
  if (kinds[last] !== undefined) return `${r.method} ${kinds[last]}`;
  return `${r.method} ${kinds[parts.at(-2) ?? ''] ?? parts.at(-2)} ${last}`;
}

/** The rank of request `i` among the recorded requests with its method and path. */
function rank(recorded: readonly RecordedRequest[], i: number): number {
  const r = recorded[i] as RecordedRequest;
  return recorded.slice(0, i + 1).filter((x) => x.method === r.method && x.path === r.path).length;
}

function at(recorded: readonly RecordedRequest[], i: number, step: string, waitAfter = false): KillPoint {
  const r = recorded[i] as RecordedRequest;
  return { step, method: r.method, path: r.path, nth: rank(recorded, i), waitAfter };
}

/**
 * The kill points of a recorded run of reapply-config or restore (every request from the approval on):
 * after the backup (the plan's re-verification read is held), after the pins, after each DELETE, during the
 * wait after the first create whose step waits for services, and during the unpinning.
 */
export function killPointsOf(recorded: readonly RecordedRequest[]): KillPoint[] {
  const writes = recorded.map((r, i) => ({ r, i })).filter(({ r }) => isFixWrite(r));
  const first = writes[0]?.i ?? recorded.length;
  const lists = recorded
    .map((r, i) => ({ r, i }))
    .filter(({ r, i }) => i < first && r.path === SERVICES_LIST);
  // The backup's read and the re-verification's: holding the last one stops the fix after its backup.
  if (lists.length < 2) throw new Error(`expected two reads before the first write, saw ${lists.length}`);
  const points: KillPoint[] = [at(recorded, (lists.at(-1) as { i: number }).i, 'after the backup')];
  let w = 0;
  while (w < writes.length && isServiceWrite((writes[w] as { r: RecordedRequest }).r)) w += 1;
  if (w > 0 && w < writes.length) points.push(at(recorded, (writes[w] as { i: number }).i, 'after the pins'));
  writes.forEach(({ r }, k) => {
    const next = writes[k + 1];
    if (r.method === 'DELETE' && next !== undefined)
      points.push(at(recorded, next.i, `after ${describe(r)}`));
  });
  const waited = writes.find(
    ({ r, i }) =>
      r.method === 'POST' &&
      recorded.slice(i + 1, writes.find((x) => x.i > i)?.i ?? recorded.length).some(isServiceRead),
  );
  if (waited !== undefined)
    points.push(at(recorded, waited.i, `during the wait after ${describe(waited.r)}`, true));
  const lastConfig = writes.map((x) => !isServiceWrite(x.r)).lastIndexOf(true);
  const unpin = writes[lastConfig + 1];
  if (lastConfig >= 0 && unpin !== undefined) points.push(at(recorded, unpin.i, 'during the unpinning'));
  return points;
}

export function faultOf(point: KillPoint): FaultRule {
  return {
    method: point.method,
    path: `^${escapeRegex(point.path)}$`,
    nth: point.nth,
    count: 1,
    ...(point.waitAfter ? { delayMs: 800 } : { delayMs: HOLD_MS, drop: true }),
  };
}

/** The held request among the requests since the fault was set, once it has arrived. */
function held(requests: readonly RecordedRequest[], point: KillPoint): number | undefined {
  let seen = 0;
  for (let i = 0; i < requests.length; i += 1) {
    const r = requests[i] as RecordedRequest;
    if (r.method !== point.method || r.path !== point.path) continue;
    seen += 1;
    if (seen === point.nth) return i;
  }
  return undefined;
}

/** Requests since index `from`: a live view of the stand-in's record. */
export function since(standIn: KubeStandIn, from: number): RecordedRequest[] {
  return standIn.requests.slice(from);
}

export interface HeldRun {
  thread: FixThread;
  /** The process the fix ran on (to be killed) and the one started to take over. */
  victim: BotProcess;
  successor: BotProcess;
  /** Index in the stand-in's requests where the run's own requests start. */
  from: number;
}

/**
 * Approves `thread` (run by `victim`, the only process running fixes), starts a `successor` of `role` while the
 * fix runs, and resolves once the fix is held at `point` and the successor is ready.
 */
export async function holdAt(
  lab: FixLab,
  thread: FixThread,
  victim: BotProcess,
  point: KillPoint,
  successorRole: Role,
  /** Faults before the hold's (the first rule that fires wins): what makes the fix fail before the hold. */
  before: FaultRule[] = [],
): Promise<HeldRun> {
  const standIn = lab.standIn(thread.cluster);
  const from = standIn.requests.length;
  standIn.setFaults([...before, faultOf(point)]);
  await lab.approve(thread);
  // The victim has the job once it asks for the Lease; only then may another process start.
  await eventually(
    () => since(standIn, from).some((r) => r.path.includes('/leases')),
    30_000,
    'the fix to take its Lease',
  );
  const successor = lab.spawn(successorRole);
  const index = await eventually(() => held(since(standIn, from), point), 60_000, `the hold ${point.step}`);
  if (point.waitAfter) {
    standIn.setSimulateDelay(PAUSED_MS);
    await eventually(
      () => {
        const requests = since(standIn, from);
        return (
          (requests[index]?.status ?? 0) >= 200 && requests.slice(index + 1).some((r) => isServiceRead(r))
        );
      },
      30_000,
      `the wait after ${point.method} ${point.path}`,
    );
  }
  await successor.waitForLog('metallb-chatops started', 60_000);
  // Still held: the victim runs the fix (it holds the Lease, no outcome yet), and nothing after the held request
  // has been written (but the other patches of its chunk: a step of service patches sends them at once).
  expect(victim.running).toBe(true);
  expect(leaseHolder(standIn)).toBe(thread.fixId);
  expect(lab.outcomes(thread)).toEqual([]);
  const now = since(standIn, from);
  const chunk = isServiceWrite(now[index] as RecordedRequest);
  expect(now.slice(index + 1).filter((r) => isFixWrite(r) && !(chunk && isServiceWrite(r)))).toEqual([]);
  if (!point.waitAfter) expect(now[index]?.status).toBe(0);
  return { thread, victim, successor, from };
}

/** MetalLB back to its normal pace after a hold (a reconcile held back by the pause runs at once). */
export function release(standIn: KubeStandIn): void {
  standIn.setSimulateDelay(REACT_MS);
  standIn.setFaults([]);
}
