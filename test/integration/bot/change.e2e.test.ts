/**
 * `/metallb change` end to end on real parts (issue 13, "In Slack"): a signed slash command opens the modal
 * (views.open with its trigger_id), a signed view_submission carries the proposed YAML (pasted, or a file shared
 * in the channel), the preview is posted in the channel with Apply and Dismiss, and a signed block_actions Apply
 * by an approver runs `apply-config` with the real fix runner against the Kubernetes API stand-in's MetalLB
 * simulation. The approval rules are the fixes': approvers only, no self-approval, one job for a double click.
 */
import type { Redis } from 'ioredis';
import { changeContextKey, sealChangeContext } from '../../../src/slack/change-context';
import { CHANGE_MODAL_BLOCKS, CHANGE_MODAL_INPUT, PRUNE_OPTION } from '../../../src/slack/views/change';
import { startKubeStandIn } from '../../../tools/kube-stand-in';
import {
  startSlackStandIn,
  type SlackStandIn,
  type StoredMessage,
  type StoredView,
} from '../../../tools/slack-stand-in';
import {
  interactionRequest,
  postSigned,
  viewSubmissionRequest,
  type SignedResponse,
} from '../../../tools/slack-requests';
import { viewSubmissionPayload } from '../../../tools/slack-stand-in';
import {
  BOT_TOKEN,
  SIGNING_SECRET,
  botEnv,
  eventually,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { button, buttons, click, current, replyMatching, slash, type Driver } from '../../support/slack-fix';
import { ips, specs } from '../../support/stand-in-state';

// Real waits on the simulated MetalLB while other suites share the CPU.
jest.setTimeout(120_000);

const NS = 'metallb-system';

const l2 = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: { name: 'all', namespace: NS },
  spec: {},
};

/** prod is a /28; big holds an address above the /29 that the narrowing proposal keeps. */
function labObjects() {
  return [
    pool('prod', ['10.0.0.0/28']),
    pool('dev', ['10.0.1.0/28']),
    l2,
    service('web', 'default', { ip: '10.0.0.6' }),
    service('big', 'default', { ip: '10.0.0.12' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
  ];
}

const NARROW_PROD = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: prod
  namespace: ${NS}
spec:
  addresses:
    - 10.0.0.0/29
`;

const OVERLAPPING = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: extra
spec:
  addresses:
    - 10.0.0.8/29
`;

async function standIn(): Promise<KubeCluster> {
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', labObjects()),
    simulateMetallb: '0.14.9',
    simulateDelayMs: 60,
  });
  return { standIn: s, serviceLists: () => 0, setFaults: (f) => s.setFaults(f), close: () => s.close() };
}

const prefix = testPrefix('change-e2e');
let slack: SlackStandIn;
let lab: KubeCluster;
let quiet: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let bot: StartedBot;
let channelSeq = 0;
let triggerSeq = 0;
/** The bot the helpers talk to: the main one, or the one whose approvals expire in a second. */
let active: () => StartedBot = () => bot;
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => active().eventsUrl };

function newChannel(): string {
  channelSeq += 1;
  return `C0CHG${channelSeq}`;
}

/** Writes to the cluster (access reviews are questions, not writes). */
function mutations(cluster: KubeCluster): number {
  return cluster.standIn.requests.filter(
    (r) => r.method !== 'GET' && !r.path.includes('/authorization.k8s.io/'),
  ).length;
}

/** `/metallb change` by `user`; resolves with the modal views.open recorded for its trigger id. */
async function openChange(
  channel: string,
  user = 'U0ALICE',
  cluster = 'lab',
): Promise<{ view: StoredView; ack: string; triggerId: string }> {
  triggerSeq += 1;
  const triggerId = `${Date.now()}.42.change${triggerSeq}`;
  const answer = await slash(d, `change --cluster ${cluster}`, { channel, user, triggerId });
  expect(answer.response.status).toBe(200);
  const view = await slack.waitFor(() => slack.views().find((v) => v.triggerId === triggerId), 5000);
  return { view, ack: answer.ack, triggerId };
}

interface Fields {
  yaml?: string;
  file?: string;
  prune?: boolean;
}

function values(fields: Fields): Record<string, Record<string, string | { selected: string[] }>> {
  return {
    [CHANGE_MODAL_BLOCKS.yaml]: { [CHANGE_MODAL_INPUT]: fields.yaml ?? '' },
    [CHANGE_MODAL_BLOCKS.file]: { [CHANGE_MODAL_INPUT]: fields.file ?? '' },
    [CHANGE_MODAL_BLOCKS.prune]: { [CHANGE_MODAL_INPUT]: { selected: fields.prune ? [PRUNE_OPTION] : [] } },
  };
}

/** A signed view_submission of the modal. */
function submit(
  view: StoredView,
  fields: Fields,
  options: { user?: string; signature?: string } = {},
): Promise<SignedResponse> {
  return postSigned(
    d.eventsUrl(),
    viewSubmissionRequest(
      { view, values: values(fields), userId: options.user ?? 'U0ALICE' },
      { signingSecret: SIGNING_SECRET, ...(options.signature ? { signature: options.signature } : {}) },
    ),
  );
}

function errorsOf(response: SignedResponse): Record<string, string> | undefined {
  const body = response.json as { response_action?: string; errors?: Record<string, string> } | undefined;
  return body?.response_action === 'errors' ? body.errors : undefined;
}

/** The change's parent in the channel, its preview and its approval message (Apply / Dismiss). */
async function changeThread(channel: string): Promise<{
  parent: StoredMessage;
  preview: StoredMessage;
  approval: StoredMessage;
  fixId: string;
}> {
  const parent = await slack.waitFor(
    () => slack.messages(channel).find((m) => /Config change proposed/.test(textOf(m))),
    30_000,
  );
  const preview = await replyMatching(slack, channel, parent.ts, /Preview of the config change/);
  const approval = await replyMatching(slack, channel, parent.ts, /Approval needed/);
  const fixId = /\bf-[0-9a-f]{16}\b/.exec(textOf(approval))?.[0] ?? '';
  return { parent, preview, approval, fixId };
}

async function auditText(channel: string): Promise<string> {
  const audit = await slash(d, 'audit 20', { channel });
  await audit.later();
  return slack
    .responses(audit.responseUrl)
    .map((r) => JSON.stringify(r.body))
    .join('\n');
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  d.slack = slack;
  [lab, quiet] = await Promise.all([standIn(), standIn()]);
  kubeconfig = tempKubeconfig({ lab, quiet });
  redis = connect();
  bot = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      // quiet is bound to one channel: another channel may not change it.
      CLUSTERS: 'lab=lab;quiet=quiet:C0QUIET',
      OPERATORS: 'U0ALICE,U0BOB',
      APPROVERS: 'U0BOB,U0CAROL',
      FIX_SETTLE_TIMEOUT: '10s',
    }),
    { fixPollIntervalMs: 50, logLevel: 'info' },
  );
});

afterAll(async () => {
  await bot?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([lab?.close(), quiet?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('/metallb change opens the modal', () => {
  it('for an operator: views.open with the trigger id, the YAML input (3,000 characters), a file and prune', async () => {
    const channel = newChannel();
    const { view, ack } = await openChange(channel);
    expect(ack).toMatch(/Opened the change dialog for lab/);
    expect(view.view).toMatchObject({ type: 'modal', callback_id: 'metallb_change_modal' });
    const blocks = view.view.blocks as { block_id?: string; element?: Record<string, unknown> }[];
    const yaml = blocks.find((b) => b.block_id === CHANGE_MODAL_BLOCKS.yaml);
    expect(yaml?.element).toMatchObject({ type: 'plain_text_input', multiline: true, max_length: 3000 });
    expect(blocks.find((b) => b.block_id === CHANGE_MODAL_BLOCKS.file)?.element).toMatchObject({
      type: 'plain_text_input',
    });
    expect(blocks.find((b) => b.block_id === CHANGE_MODAL_BLOCKS.prune)?.element).toMatchObject({
      type: 'checkboxes',
      options: [{ value: PRUNE_OPTION }],
    });
    // Nothing is read from the cluster and nothing is posted until the submission.
    expect(slack.messages(channel)).toEqual([]);
  });

  it('not for someone who is not an operator: refused, audited, no modal', async () => {
    const channel = newChannel();
    triggerSeq += 1;
    const triggerId = `${Date.now()}.42.refused${triggerSeq}`;
    const answer = await slash(d, 'change --cluster lab', { channel, user: 'U0MALLORY', triggerId });
    expect(answer.ack).toMatch(/Only OPERATORS may request fixes/);
    expect(slack.views().some((v) => v.triggerId === triggerId)).toBe(false);
    expect(await auditText(channel)).toMatch(/<@U0MALLORY> · `fix.request` · refused · cluster `lab`/);
  });

  it('once for a redelivered command: the trigger_id is not used twice', async () => {
    const channel = newChannel();
    const { triggerId } = await openChange(channel);
    const again = await slash(d, 'change --cluster lab', { channel, triggerId });
    expect(again.ack).toMatch(/The change dialog is open already/);
    expect(slack.calls('views.open').filter((c) => c.args.trigger_id === triggerId)).toHaveLength(1);
  });

  it('not for a cluster the channel may not use', async () => {
    const answer = await slash(d, 'change --cluster quiet', { channel: newChannel() });
    expect(answer.ack).toMatch(/cluster "quiet" is not available in this channel/);
  });
});

describe('the submission', () => {
  it('answers errors beside the field for empty, both, unparsable and non-MetalLB input; nothing is posted', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel);
    const cases: [Fields, string, RegExp][] = [
      [{}, CHANGE_MODAL_BLOCKS.yaml, /Paste the proposed YAML/],
      [{ yaml: NARROW_PROD, file: 'F0123ABCD' }, CHANGE_MODAL_BLOCKS.file, /not both/],
      [{ yaml: 'kind: IPAddressPool\nmetadata: {name: [' }, CHANGE_MODAL_BLOCKS.yaml, /the pasted YAML/],
      [
        { yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' },
        CHANGE_MODAL_BLOCKS.yaml,
        /not MetalLB config: v1 ConfigMap\/x/,
      ],
      [{ yaml: 'x'.repeat(3001) }, CHANGE_MODAL_BLOCKS.yaml, /At most 3000 characters/],
      [{ file: 'pools.yaml' }, CHANGE_MODAL_BLOCKS.file, /Not a Slack file link/],
    ];
    for (const [fields, block, problem] of cases) {
      const started = Date.now();
      const response = await submit(view, fields);
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      const errors = errorsOf(response);
      expect(Object.keys(errors ?? {})).toEqual([block]);
      expect(errors?.[block]).toMatch(problem);
    }
    expect(slack.messages(channel)).toEqual([]);
    expect(slack.ephemerals(channel)).toEqual([]);
  });

  it('takes any shape of state the client sends back as no input (or the screen refuses it), never as a failure', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel);
    const shapes: unknown[] = [
      null,
      'text',
      { change_yaml: null, change_file: 5 },
      { change_yaml: { value: { value: ['a'] } }, change_prune: { value: { selected_options: 'prune' } } },
      { change_yaml: { value: { value: { toString: 1 } } }, change_file: { value: [] } },
    ];
    for (const values of shapes) {
      const payload = viewSubmissionPayload({ view, values: {} });
      (payload.view as { state: { values: unknown } }).state.values = values;
      const response = await postSigned(
        d.eventsUrl(),
        interactionRequest(payload, { signingSecret: SIGNING_SECRET }),
      );
      // The request screen refuses what Bolt cannot take (400, audited); the rest reaches the handler.
      expect([200, 400]).toContain(response.status);
      if (response.status === 200)
        expect(errorsOf(response)?.[CHANGE_MODAL_BLOCKS.yaml]).toMatch(/Paste the proposed YAML/);
    }
    expect(bot.logs.filter((l) => /slack request failed|slack handler failed/.test(l))).toEqual([]);
    expect(slack.messages(channel)).toEqual([]);
  });

  it('refuses a file shared in another channel beside the file field', async () => {
    const channel = newChannel();
    const file = slack.shareFile('C0ELSEWHERE', 'U0ALICE', 'prod.yaml', NARROW_PROD);
    const { view } = await openChange(channel);
    const errors = errorsOf(await submit(view, { file: file.id }));
    expect(errors?.[CHANGE_MODAL_BLOCKS.file]).toMatch(/prod.yaml is not shared in this channel/);
  });
  it('answers within 3 s when Slack is slow to hand over a named file, beside the file field', async () => {
    const channel = newChannel();
    const file = slack.shareFile(channel, 'U0ALICE', 'prod.yaml', NARROW_PROD);
    const { view } = await openChange(channel);
    slack.timeOut('file_download', { ms: 4000, late: true });
    const started = Date.now();
    const response = await submit(view, { file: file.id });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(errorsOf(response)?.[CHANGE_MODAL_BLOCKS.file]).toMatch(/could not be read in time/);
    expect(slack.messages(channel).filter((m) => m.user !== 'U0ALICE')).toEqual([]);
  });
});

describe('forged submissions', () => {
  it('refuses private_metadata edited to name another channel and cluster, and audits it', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel);
    const sealed = JSON.parse(String(view.view.private_metadata)) as Record<string, unknown>;
    const forged: StoredView = {
      ...view,
      view: { ...view.view, private_metadata: JSON.stringify({ ...sealed, ch: 'C0QUIET', cl: 'quiet' }) },
    };
    const before = mutations(quiet);
    const errors = errorsOf(await submit(forged, { yaml: NARROW_PROD }));
    expect(errors?.[CHANGE_MODAL_BLOCKS.yaml]).toMatch(/not opened for you by metallb-chatops/);
    const audit = await auditText(channel);
    expect(audit).toMatch(
      /<@U0ALICE> · `fix.request` · refused · cluster `quiet` · change dialog V\d+: refused, forged/,
    );
    expect(audit).toMatch(/channel C0QUIET/);
    expect(slack.messages('C0QUIET')).toEqual([]);
    expect(mutations(quiet)).toBe(before);
  });

  it('refuses a sealed context whose channel may not use the cluster (CLUSTERS changed), and audits it', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel);
    const resealed: StoredView = {
      ...view,
      view: {
        ...view.view,
        private_metadata: sealChangeContext(
          { channel, channelName: 'metallb-ops', cluster: 'quiet', user: 'U0ALICE', openedAt: Date.now() },
          changeContextKey(BOT_TOKEN),
        ),
      },
    };
    const errors = errorsOf(await submit(resealed, { yaml: NARROW_PROD }));
    expect(errors?.[CHANGE_MODAL_BLOCKS.yaml]).toMatch(/cluster "quiet" is not available in this channel/);
    expect(await auditText(channel)).toMatch(
      /refused · cluster `quiet` · change dialog V\d+: refused: cluster \\"quiet\\" is not available/,
    );
  });

  it('refuses the modal of one user submitted by another', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel, 'U0ALICE');
    const errors = errorsOf(await submit(view, { yaml: NARROW_PROD }, { user: 'U0BOB' }));
    expect(errors?.[CHANGE_MODAL_BLOCKS.yaml]).toMatch(/not opened for you/);
    expect(await auditText(channel)).toMatch(
      /<@U0BOB> · `fix.request` · refused · cluster `lab` · change dialog V\d+: refused, other-user/,
    );
  });

  it('refuses a bad signature (401) before any handler, and audits it', async () => {
    const channel = newChannel();
    const { view } = await openChange(channel);
    const response = await submit(view, { yaml: NARROW_PROD }, { signature: `v0=${'0'.repeat(64)}` });
    expect(response.status).toBe(401);
    expect(await auditText(channel)).toMatch(/unknown · `slack.refuse` · refused/);
    expect(slack.messages(channel)).toEqual([]);
  });
});

const NARROW_DEV = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: dev
spec:
  addresses: [10.0.1.0/29]
`;

/** Opens the modal and submits it; the submission closes the modal (an empty ack). */
async function propose(channel: string, fields: Fields, user = 'U0ALICE'): Promise<void> {
  const { view } = await openChange(channel, user);
  const started = Date.now();
  const response = await submit(view, fields, { user });
  // The ack closes the modal at once; the fresh read and the preview follow in the channel.
  expect(Date.now() - started).toBeLessThan(3000);
  expect(response.status).toBe(200);
  expect(errorsOf(response)).toBeUndefined();
}

describe('the preview in the channel, Apply and Dismiss', () => {
  it('Dismiss: the preview names the service that would move; dismissed, the cluster is untouched', async () => {
    const channel = newChannel();
    const before = mutations(lab);
    await propose(channel, { yaml: NARROW_PROD }, 'U0ALICE');
    const { preview, approval } = await changeThread(channel);
    expect(textOf(preview)).toMatch(/default\/big loses 10\.0\.0\.12/);
    expect(textOf(preview)).not.toMatch(/default\/web|default\/tool/);
    expect(button(approval, 'metallb_approve')).toMatchObject({ text: { text: 'Apply' } });
    expect(button(approval, 'metallb_reject')).toMatchObject({ text: { text: 'Dismiss' } });
    // Approval as for reapply-config: the approvers are named and the request expires.
    expect(textOf(approval)).toMatch(/Approvers: <@U0BOB> <@U0CAROL>/);
    expect(textOf(approval)).toMatch(/Expires <!date\^\d+\^/);
    const told = await slack.waitFor(() => slack.ephemerals(channel).find((e) => e.user === 'U0ALICE'));
    expect(told.text).toMatch(/waits for approval/);

    await click(d, approval, 'metallb_reject', { user: 'U0BOB' });
    await eventually(
      () => /Dismissed\* by <@U0BOB>/.test(textOf(current(slack, approval))),
      10_000,
      'dismissed',
    );
    expect(buttons(current(slack, approval))).toEqual([]);
    expect(mutations(lab)).toBe(before);
    expect(specs(lab.standIn, 'IPAddressPool')).toMatchObject({ prod: { addresses: ['10.0.0.0/28'] } });
  });

  it('a proposal MetalLB would reject (overlapping pools) is posted as "will not be applied", without Apply', async () => {
    const channel = newChannel();
    const before = mutations(lab);
    await propose(channel, { yaml: OVERLAPPING });
    const posted = await slack.waitFor(
      () => slack.allMessages().find((m) => m.channel === channel && /will not be applied/.test(textOf(m))),
      30_000,
    );
    expect(textOf(posted)).toMatch(/rejected as a whole/);
    expect(textOf(posted)).toMatch(/extra/);
    const everything = slack.allMessages().filter((m) => m.channel === channel);
    expect(everything.flatMap(buttons).filter((b) => b.action_id === 'metallb_approve')).toEqual([]);
    expect(mutations(lab)).toBe(before);
  });

  it('Apply: approvers only, never the requester; a double click runs once; the moved service gets an allowed IP, others keep theirs, the config equals the proposal', async () => {
    const channel = newChannel();
    const before = ips(lab.standIn);
    const mutationsBefore = mutations(lab);
    await propose(channel, { yaml: NARROW_PROD }, 'U0BOB');
    const { parent, preview, approval, fixId } = await changeThread(channel);
    expect(textOf(preview)).toMatch(/default\/big loses 10\.0\.0\.12 .* and gets a new IP from one of pools/);

    const self = await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    expect((await self.answers()).join('\n')).toMatch(/another approver must approve/);
    const stranger = await click(d, approval, 'metallb_approve', { user: 'U0MALLORY' });
    expect((await stranger.answers()).join('\n')).toMatch(/Only APPROVERS may approve/);
    expect(mutations(lab)).toBe(mutationsBefore);

    await Promise.all([
      click(d, approval, 'metallb_approve', { user: 'U0CAROL' }),
      click(d, approval, 'metallb_approve', { user: 'U0CAROL' }),
    ]);
    const result = await replyMatching(
      slack,
      channel,
      parent.ts,
      new RegExp(`${fixId}.*(done|postcondition|rolled back|stopped)`),
      90_000,
    );
    expect(textOf(result)).toMatch(/\*done\*/);
    expect(textOf(current(slack, approval))).toMatch(/Apply approved\* by <@U0CAROL>/);
    const results = slack
      .thread(channel, parent.ts)
      .filter((m) => new RegExp(`${fixId}.*\\*done\\*`).test(textOf(m)));
    expect(results).toHaveLength(1);

    const after = ips(lab.standIn);
    expect(after['default/big']).not.toBe(before['default/big']);
    // Inside a pool that allows it after the change: prod's /29 or dev's /28 (MetalLB orders pools without a
    // serviceAllocation priority as it likes, so the preview names both).
    expect(after['default/big']).toMatch(/^10\.0\.(0\.[0-7]|1\.([0-9]|1[0-5]))$/);
    expect(after['default/web']).toBe(before['default/web']);
    expect(after['default/tool']).toBe(before['default/tool']);
    expect(specs(lab.standIn, 'IPAddressPool')).toEqual({
      prod: { addresses: ['10.0.0.0/29'] },
      dev: { addresses: ['10.0.1.0/28'] },
    });
  });

  it('a file shared in the channel, named by its link, is previewed like pasted YAML', async () => {
    const channel = newChannel();
    const file = slack.shareFile(channel, 'U0ALICE', 'dev.yaml', NARROW_DEV);
    const link = `https://metallb-test.slack.com/files/U0ALICE/${file.id}/dev.yaml`;
    await propose(channel, { file: link });
    const { preview, approval } = await changeThread(channel);
    expect(textOf(preview)).toContain('`replace IPAddressPool/dev`');
    expect(textOf(preview)).toMatch(/MetalLB accepts it/);
    expect(slack.calls('file_download').at(-1)).toMatchObject({ tokenKind: 'bot', status: 200 });
    // Withdrawn by its requester: nothing is changed.
    await click(d, approval, 'metallb_reject', { user: 'U0ALICE' });
    await eventually(() => /Dismissed/.test(textOf(current(slack, approval))), 10_000, 'dismissed');
  });
});

describe('when the cluster cannot be read after the modal closed', () => {
  it('tells the requester alone, in the channel, and posts nothing', async () => {
    const channel = newChannel();
    lab.setFaults([{ method: 'GET', path: '/api/v1/services', status: 500, count: 1000 }]);
    try {
      await propose(channel, { yaml: NARROW_DEV });
      const told = await slack.waitFor(
        () => slack.ephemerals(channel).find((e) => e.user === 'U0ALICE'),
        30_000,
      );
      expect(told.text).toMatch(/^E_[A-Z_]+: apply-config on lab: /);
      expect(slack.messages(channel)).toEqual([]);
    } finally {
      lab.setFaults([]);
    }
  });
});

describe('an Apply nobody clicks', () => {
  const expiryPrefix = testPrefix('change-expiry');
  let expiryBot: StartedBot;

  beforeAll(async () => {
    expiryBot = await startTestBot(
      botEnv(slack, expiryPrefix, {
        KUBECONFIG: kubeconfig.path,
        CLUSTERS: 'lab=lab',
        OPERATORS: 'U0ALICE',
        APPROVERS: 'U0CAROL',
        APPROVAL_TTL: '1s',
        WORKERS: '0',
      }),
      { expiryIntervalMs: 100 },
    );
    active = () => expiryBot;
  });

  afterAll(async () => {
    active = () => bot;
    await expiryBot?.bot.stop();
    await cleanup(redis, expiryPrefix);
  });

  it('expires as a fix approval does: the buttons go, a late Apply changes nothing', async () => {
    const channel = newChannel();
    const before = mutations(lab);
    await propose(channel, { yaml: NARROW_DEV });
    const { approval } = await changeThread(channel);
    // The stand-in updates the message in place: keep the button's value as it was clicked-to-be.
    const value = button(approval, 'metallb_approve')?.value ?? '';
    await eventually(() => /Expired/.test(textOf(current(slack, approval))), 15_000, 'expired');
    expect(buttons(current(slack, approval))).toEqual([]);
    const late = await click(d, approval, 'metallb_approve', { user: 'U0CAROL', value });
    expect((await late.answers()).join('\n')).toMatch(/expired/i);
    expect(mutations(lab)).toBe(before);
  });
});
