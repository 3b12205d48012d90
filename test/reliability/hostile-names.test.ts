/**
 * Names from users reach Redis keys (queues, schedules, digest state, the outbox) and API paths (the cluster's
 * context). Through the slash-command surface, names built for path traversal and key injection are tried in
 * every place one is typed (cluster names of check and digest, cron patterns, time zones, backup ids of
 * `/metallb restore` and of the "Restore this backup" button) and in the ids of the request itself: each is refused
 * with a coded answer, and no key or API request ever carries one. Backup ids from the terminal (`restore --from
 * FILE` reads the id in the file's header) and at the backup store itself are refused the same way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { BackupStore } from '../../src/backups/backup-store';
import { runCli } from '../../src/cli/run';
import { makeBackup, renderBackup } from '../../src/fixes/backup-format';
import {
  botEnv,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import {
  blockActionsRequest,
  postSigned,
  slashCommandRequest,
  type SlashCommandInput,
} from '../../tools/slack-requests';
import { cleanup, connect, testPrefix } from '../support/redis';

const prefix = testPrefix('hostile-names');
/** Every hostile value carries this, so a key or a request path holding one is found by it. */
const MARK = 'zzevil';
let slack: SlackStandIn;
let kube: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let started: StartedBot;
let redis: Redis;
let seq = 0;

const HOSTILE_NAMES = [
  `../../${MARK}`,
  `..%2F..%2F${MARK}`,
  `drifted/../${MARK}`,
  `${MARK}:*`,
  `${MARK}*`,
  `{${MARK}}`,
  `${MARK}\r\nFLUSHALL`,
  `${MARK}\u0000nul`,
  `drifted;${MARK}`,
  `<!channel>${MARK}`,
  `${MARK}`.repeat(2000),
];

async function slash(text: string, overrides: Partial<SlashCommandInput> = {}) {
  seq += 1;
  const response = await postSigned(
    started.eventsUrl,
    slashCommandRequest(
      {
        text,
        channelId: 'C0NAMES',
        userId: 'U0ALICE',
        triggerId: `${Date.now()}.${seq}`,
        responseUrl: slack.responseUrl(),
        ...overrides,
      },
      { signingSecret: SIGNING_SECRET },
    ),
  );
  const body = response.json as { text?: string; blocks?: unknown } | undefined;
  return { status: response.status, text: body?.text ?? '', all: body ? textOf(body) : '' };
}

/** Every key in this Redis that carries the mark (SCAN, so the shared test Redis is not blocked). */
async function markedKeys(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${MARK}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube });
  redis = connect();
  started = await startTestBot(
    botEnv(slack, prefix, { KUBECONFIG: kubeconfig.path, CLUSTERS: 'drifted=drifted', OPERATORS: 'U0ALICE' }),
  );
});

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

const commandsFor = (name: string): string[] => [
  `check --cluster "${name}"`,
  `check --cluster=${JSON.stringify(name)}`,
  `digest "0 9 * * 1-5" UTC --cluster "${name}"`,
  `digest off --cluster "${name}"`,
  `digest now --cluster "${name}"`,
  `mute IP_OUTSIDE_POOLS --cluster "${name}" --reason "hostile name"`,
  `mutes --cluster "${name}"`,
];

it.each(
  HOSTILE_NAMES.map((name) => [name.length > 60 ? `${name.slice(0, 20)}… (${name.length})` : name, name]),
)('refuses the cluster name %j everywhere one is typed', async (_shown, name) => {
  for (const text of commandsFor(name)) {
    const answer = await slash(text);
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^E_USAGE: /);
    // Echoed back escaped, never as a mention, and never a page long.
    expect(answer.all).not.toContain('<!channel>');
    expect(answer.all.length).toBeLessThan(6000);
  }
});

it.each([
  [`digest "0 9 * * 1-5" ../../${MARK} --cluster drifted`, 'a time zone that is a path'],
  [`digest "0 9 * * 1-5" "UTC\r\nDEL ${MARK}" --cluster drifted`, 'a time zone with a command in it'],
  [`digest "0 9 * * ${MARK}" --cluster drifted`, 'a cron field that is a word'],
  [`digest "0 9 * * 1-5; FLUSHALL ${MARK}" --cluster drifted`, 'a cron pattern with a command after it'],
  [`digest "../../${MARK}" --cluster drifted`, 'a cron pattern that is a path'],
  [`unmute ../../${MARK}`, 'a mute id that is a path'],
  [`unmute "${MARK}:*"`, 'a mute id that is a key pattern'],
  [`unmute "${MARK}\r\nDEL x"`, 'a mute id with a command in it'],
  [`mute IP_OUTSIDE_POOLS Service/../${MARK} --cluster drifted --reason x`, 'a mute target that walks up'],
  [`mute "../../${MARK}" --cluster drifted --reason x`, 'a finding code that is a path'],
])('refuses %j (%s)', async (text) => {
  const answer = await slash(text);
  expect(answer.text).toMatch(/^E_USAGE: /);
});

it.each([
  ['channel_id', { channelId: `C0../${MARK}` }],
  ['channel_id', { channelId: `C0NAMES:${MARK}:*` }],
  ['user_id', { userId: `U0ALICE\r\n${MARK}` }],
])('refuses a request whose %s is not a Slack id', async (_field, overrides) => {
  const answer = await slash('check --cluster drifted', overrides);
  expect(answer.status).toBe(200);
  expect(answer.text).toMatch(/^E_(USAGE|WRONG_WORKSPACE): /);
});

// Team ids key Bolt's own client cache: they are refused (400) before Bolt sees them (src/slack/request-screen.ts).
it.each([`T0METALLB}${MARK}`, 'toString', '__proto__'])(
  'refuses a request whose team_id %j is not a Slack id with 400, before Bolt',
  async (teamId) => {
    const before = await redis.xlen(`${prefix}:audit`);
    const answer = await slash('check --cluster drifted', { teamId });
    expect(answer.status).toBe(400);
    expect(await redis.xlen(`${prefix}:audit`)).toBeGreaterThan(before);
  },
);

/** Backup ids built for traversal and key injection; some keep the shape's start to get past a prefix check. */
const HOSTILE_BACKUP_IDS = [
  ...HOSTILE_NAMES,
  `b-../../${MARK}`,
  `b-20261130-060000-abcd:${MARK}:*`,
  `b-20261130-060000-abcd\r\nDEL ${MARK}`,
  `b-20261130-060000-abcd/../${MARK}`,
  `b-20261130-060000-abcd\u0000${MARK}`,
];
const shown = (id: string): string => (id.length > 60 ? `${id.slice(0, 20)}… (${id.length})` : id);

it.each(HOSTILE_BACKUP_IDS.map((id) => [shown(id), id]))(
  'refuses the backup id %j in /metallb restore and in fix restore',
  async (_shown, id) => {
    for (const text of [
      `restore ${JSON.stringify(id)}`,
      `fix restore ${JSON.stringify(id)} --cluster drifted`,
    ]) {
      const answer = await slash(text);
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/^E_USAGE: /);
      expect(answer.all).not.toContain('<!channel>');
    }
  },
);

it.each(HOSTILE_BACKUP_IDS.map((id) => [shown(id), id]))(
  'refuses the backup id %j carried by a "Restore this backup" button, and audits it',
  async (_shown, id) => {
    const before = await redis.xlen(`${prefix}:audit`);
    const responseUrl = slack.responseUrl();
    const response = await postSigned(
      started.eventsUrl,
      blockActionsRequest(
        {
          message: { channel: 'C0NAMES', ts: '1764158400.000100' },
          actionId: 'metallb_restore_backup',
          value: JSON.stringify({ b: id, c: 'drifted' }),
          userId: 'U0ALICE',
          responseUrl,
        },
        { signingSecret: SIGNING_SECRET },
      ),
    );
    expect(response.status).toBe(200);
    const answer = await slack.waitFor(() => slack.responses(responseUrl)[0]);
    expect((answer.body as { text?: string }).text).toMatch(/^E_USAGE: /);
    const entries = await redis.xrange(`${prefix}:audit`, '-', '+');
    expect(entries.length).toBeGreaterThan(before);
    expect(JSON.stringify(entries.at(-1))).toContain('metallb_restore_backup button refused');
  },
);

describe('backup ids outside Slack', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hostile-backup-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A backup file as `backup --out` writes it, with `id` in its header. */
  function backupFile(id: string, index: number): string {
    const backup = makeBackup({
      id: 'b-20261130-060000-abcd',
      cluster: 'drifted',
      takenAt: new Date('2026-11-30T06:00:00Z'),
      namespace: 'metallb-system',
      metallbVersion: '0.14.9',
      objects: [],
      services: [],
    });
    const text = renderBackup(backup, { redact: false }).replace(
      '# id: b-20261130-060000-abcd',
      `# id: ${id.replace(/[\r\n]/g, ' ')}`,
    );
    const file = join(dir, `backup-${index}.yaml`);
    writeFileSync(file, text);
    return file;
  }

  it.each(HOSTILE_BACKUP_IDS.map((id, i) => [shown(id), id, i] as const))(
    'the CLI refuses a backup file whose id is %j before it connects to anything',
    async (_shown, id, index) => {
      let err = '';
      const code = await runCli(
        ['restore', '--from', backupFile(id, index), '--yes', '--context', 'nowhere'],
        {
          stdout: { write: () => true },
          stderr: { write: (t: string) => (err += t) },
          stdin: process.stdin,
          env: {},
          isTTY: false,
        },
        {
          readLive: () => Promise.reject(new Error('not reached')),
          runBot: () => Promise.reject(new Error('not reached')),
          connectCluster: () => Promise.reject(new Error('connected with a hostile backup id')),
          now: () => new Date('2026-11-30T07:00:00Z'),
          version: 'test',
        },
      );
      expect(code).toBe(2);
      expect(err).toMatch(/^error E_BACKUP_INVALID: /);
    },
  );

  it.each(HOSTILE_BACKUP_IDS.map((id) => [shown(id), id]))(
    'the backup store reads nothing for %j and refuses to write it, before it builds a key',
    async (_shown, id) => {
      const store = new BackupStore({ redis, prefix, retention: 5 });
      // A read of a malformed id finds nothing; a write is refused.
      expect(await store.get(id)).toBeUndefined();
      await expect(
        store.save({ id, cluster: 'drifted', requestedBy: 'U0ALICE', text: 'x', at: new Date() }),
      ).rejects.toMatchObject({ code: 'E_USAGE' });
    },
  );
});

it('left no key and no API request carrying a hostile name', async () => {
  // Give anything queued by mistake time to run.
  await new Promise((r) => setTimeout(r, 500));
  expect(await markedKeys()).toEqual([]);
  expect(kube.standIn.requests.filter((r) => r.path.includes(MARK) || r.path.includes('..'))).toEqual([]);
  expect(slack.allMessages().filter((m) => (m.text ?? '').includes(MARK))).toEqual([]);
  // And the surface still works for a good name.
  expect((await slash('check --cluster drifted')).text).toMatch(/^Checking MetalLB on drifted…/);
});
