/**
 * Fuzz targets shared by `test/reliability/fuzz-*.test.ts` (a fixed seed and few runs, in `npm test`) and the
 * long run of `npm run fuzz` (tools/fuzz.ts). Each target is an input generator (fast-check) and a judge that
 * throws when the bot misbehaves on an input: a crash (anything but a coded error), a hang (past a generous
 * bound), or memory kept (heap grown past a generous bound). Inputs are random and adversarial text, huge inputs,
 * deep nesting, YAML alias bombs, bytes that are not UTF-8 and NULs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { runCli } from '../src/cli/run';
import type { CliDeps, CliIo } from '../src/cli/types';
import { ENGINE_KINDS } from '../src/drift/model';
import { parseCommand } from '../src/slack/command';
import { errorMessage } from '../src/slack/views/help';
import { aliasBomb } from './hostile-inputs';
import type { SignedResponse } from './slack-requests';

/** What one target needs: inputs, and a judge that throws on misbehaviour. */
export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws an Error saying what went wrong with `input`. */
  judge(input: T): Promise<void>;
  /** A short description of an input for a report (never the whole of a multi-MB input). */
  show(input: T): string;
}

export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

function shorten(text: string, max = 200): string {
  return text.length <= max
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, max))}… (${text.length})`;
}

// ---- words users and attackers type ----

/** Values built for path traversal, key injection, mentions and parser confusion. */
export const HOSTILE_WORDS: readonly string[] = [
  '../../x',
  '..%2F..%2Fx',
  'x:*',
  '*',
  '{x}',
  'x\r\nFLUSHALL',
  'x\u0000y',
  '<!channel>',
  '<@U0ALICE>',
  '"',
  '\u201c',
  '--',
  '-',
  '--cluster',
  '--cluster=',
  '--for',
  '--reason',
  '\\',
  '\u202e',
  '\ud800',
  '💥',
  'null',
  '__proto__',
  'constructor',
  '0',
  '-1',
  '1e999',
  ' ',
  '\t',
  '\u00a0',
];

const SUBCOMMANDS = [
  'check',
  'help',
  'status',
  'digest',
  'mute',
  'mutes',
  'unmute',
  'fix',
  'backup',
  'backups',
  'restore',
  'jobs',
  'audit',
  'CHECK',
];

const COMMAND_WORDS = [
  ...SUBCOMMANDS,
  'drifted',
  'off',
  'now',
  'UTC',
  'Europe/Berlin',
  '0 9 * * 1-5',
  '*/5 * * * *',
  'IP_OUTSIDE_POOLS',
  'Service/shop/storefront',
  'IPAddressPool/metallb-system/*',
  '7d',
  '366d',
  '99999999999d',
  'restart-speakers',
  'release-ip',
  'restore',
  'reapply-config',
  'shop/storefront',
  '0123456789abcdef',
  'b-20261126-120000-abcd',
  'b-../../x',
  'm-0123456789abcdef',
  'f-0123456789abcdef',
  '50',
  '51',
  '999999',
];

const word: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...COMMAND_WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_WORDS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** A word as typed: bare, quoted, `--flag=value`, or with a stray quote. */
const typedWord: fc.Arbitrary<string> = fc.tuple(word, fc.integer({ min: 0, max: 5 })).map(([w, how]) => {
  if (how === 1) return `"${w}"`;
  if (how === 2) return `\u201c${w}\u201d`;
  if (how === 3) return `--cluster=${w}`;
  if (how === 4) return `${w}"`;
  return w;
});

/** A huge text: a pattern repeated up to a few MB. */
const hugeText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      'x',
      '"',
      '" "',
      'check --cluster ',
      '--cluster=',
      '\u0000',
      '💥',
      ' ',
      'mute a --reason ',
    ),
    fc.integer({ min: 10_000, max: 2_000_000 }),
  )
  .map(([pattern, length]) => pattern.repeat(Math.ceil(length / pattern.length)));

/** Text of `/metallb …`: random, built from the grammar's words, or huge. */
export const commandText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(typedWord, { maxLength: 12 }).map((words) => words.join(' ')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: hugeText },
);

// ---- target 1: the slash-command parser ----

/** Bounds judged generously: a shared, loaded machine must not make them fail. */
export const BOUNDS = {
  /** Per parse of a text of up to a few MB. */
  parseMs: 3_000,
  /**
   * Per dump read, analysed and rendered: a base, and per MB of input (the YAML parser reads about 1 MB/s on a
   * loaded 2-core machine; linear, so a bound per MB tells a slow read from a hang).
   */
  dumpMs: 10_000,
  dumpMsPerMb: 15_000,
  /** Per signed request answered by the bot (Bolt's own limit is 3 s). */
  requestMs: 5_000,
  /** Heap kept after one input. */
  heapBytes: 256 * 1024 * 1024,
};

/** Milliseconds since `start`. */
const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export const commandParserTarget: FuzzTarget<string> = {
  name: 'slash-command parser',
  arbitrary: commandText,
  show: (text) => shorten(text),
  judge: (text) => {
    const start = process.hrtime.bigint();
    const result = parseCommand(text);
    const ms = since(start);
    if (ms > BOUNDS.parseMs) throw new FuzzFailure(`parse took ${ms.toFixed(0)} ms`);
    if (typeof result !== 'object' || typeof result.ok !== 'boolean')
      throw new FuzzFailure(`parse returned ${JSON.stringify(result)}`);
    if (!result.ok) {
      if (typeof result.problem !== 'string' || result.problem === '')
        throw new FuzzFailure('a refusal without a problem');
      // What the user is shown: coded, and cut to a size Slack takes.
      const shown = errorMessage('E_USAGE', result.problem, true);
      if (!shown.text.startsWith('E_USAGE: ')) throw new FuzzFailure(`uncoded answer ${shorten(shown.text)}`);
      const size = JSON.stringify(shown).length;
      if (size > 20_000) throw new FuzzFailure(`answer of ${size} characters`);
    }
    return Promise.resolve();
  },
};

// ---- target 2: the dump reader (`check --from-file`) ----

export interface DumpInput {
  /** How it was made, for the report. */
  kind: string;
  bytes: Uint8Array;
}

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

const metadata: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.constantFrom('web', 'default', 'tor-1', 'staging'), fc.string({ maxLength: 30 })),
      namespace: fc.oneof(fc.constantFrom('metallb-system', 'shop', 'default'), fc.string({ maxLength: 30 })),
      annotations: fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'metallb.universe.tf/loadBalancerIPs',
            'metallb.io/loadBalancerIPs',
            'metallb.universe.tf/address-pool',
            'metallb.io/ip-allocated-from-pool',
          ),
          fc.string({ maxLength: 10 }),
        ),
        fc.oneof(
          fc.constantFrom('10.0.0.1', '10.0.0.1,fd00::1', 'staging', ''),
          fc.string({ maxLength: 20 }),
        ),
        { maxKeys: 3 },
      ),
      labels: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
      resourceVersion: fc.oneof(fc.constantFrom('1', '99'), fc.string({ maxLength: 5 })),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

const CIDRS = ['10.0.0.0/24', '10.0.0.1-10.0.0.9', 'fd00::/120', '0.0.0.0/0', '10.0.0.0/33', '::/0', 'x'];

const spec: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('LoadBalancer', 'ClusterIP', 7),
      loadBalancerIP: fc.constantFrom('10.0.0.5', '999.1.1.1', ''),
      addresses: fc.array(fc.oneof(fc.constantFrom(...CIDRS), anyJson), { maxLength: 4 }),
      ipAddressPools: fc.array(fc.oneof(fc.constantFrom('staging', 'default'), anyJson), { maxLength: 3 }),
      ipAddressPoolSelectors: anyJson,
      nodeSelectors: anyJson,
      peerAddress: fc.constantFrom('10.0.0.1', 'x'),
      myASN: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      peerASN: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      autoAssign: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
      ports: anyJson,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

const KINDS = [...ENGINE_KINDS, 'List', 'ServiceList', 'ConfigMap', 'Pod', 'CustomResourceDefinition'];

/** A Kubernetes-shaped object whose fields hold anything. */
const kubeObject: fc.Arbitrary<unknown> = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom('v1', 'metallb.io/v1beta1', 'metallb.io/v1beta2'), anyJson),
    kind: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KINDS) }, anyJson),
    metadata,
    spec,
    status: anyJson,
    items: fc.array(anyJson, { maxLength: 3 }),
  },
  { requiredKeys: ['kind'] },
);

const documents: fc.Arbitrary<unknown[]> = fc.array(
  fc.oneof({ weight: 5, arbitrary: kubeObject }, { weight: 1, arbitrary: anyJson }),
  { minLength: 1, maxLength: 6 },
);

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Bytes spliced into otherwise good text: NULs, bytes that are not UTF-8, byte-order marks, controls. */
const BAD_BYTES: readonly number[][] = [
  [0],
  [0xff],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0xef, 0xbb, 0xbf],
  [0xff, 0xfe],
  [0xfe, 0xff],
  [0x1f, 0x8b],
  [0x1b],
  [0x7f],
];

function splice(bytes: Uint8Array, at: number, insert: readonly number[]): Uint8Array {
  const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
  return Uint8Array.from([...bytes.subarray(0, i), ...insert, ...bytes.subarray(i)]);
}

const nested: fc.Arbitrary<DumpInput> = fc
  .tuple(fc.constantFrom('flow', 'json', 'block', 'compact'), fc.integer({ min: 50, max: 300_000 }))
  .map(([style, depth]) => {
    const d = style === 'block' ? Math.min(depth, 5_000) : depth;
    const text =
      style === 'flow'
        ? `${'['.repeat(d)}${']'.repeat(d)}`
        : style === 'json'
          ? `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
          : style === 'block'
            ? Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n'
            : `${'- '.repeat(d)}x\n`;
    return { kind: `nesting ${style} ${d}`, bytes: utf8(text) };
  });

const bomb: fc.Arbitrary<DumpInput> = fc
  .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.boolean())
  .map(([levels, width, asObject]) => {
    const text = asObject
      ? `kind: Service\napiVersion: v1\nmetadata: {name: x}\n${aliasBomb(levels, width)
          .split('\n')
          .map((line) => (line ? `spec${line}` : line))
          .join('\n')}`
      : aliasBomb(levels, width);
    return { kind: `alias bomb ${levels}x${width}`, bytes: utf8(text) };
  });

const SERVICE_DOC =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: LoadBalancer\n---\n';

const huge: fc.Arbitrary<DumpInput> = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom('yaml', 'garbage', 'json'))
  .map(([mb, form]) => {
    const size = mb * 1_000_000;
    const text =
      form === 'yaml'
        ? SERVICE_DOC.repeat(Math.ceil(size / SERVICE_DOC.length))
        : form === 'json'
          ? `{"kind":"List","items":[${Array(Math.ceil(size / 60))
              .fill('{"kind":"Service","apiVersion":"v1","metadata":{"name":"w"}}')
              .join(',')}]}`
          : 'a: b: c: [{'.repeat(Math.ceil(size / 11));
    return { kind: `huge ${form} ${mb} MB`, bytes: utf8(text) };
  });

/** Dump bytes: Kubernetes-shaped documents with anything in their fields, broken text, nesting, bombs, huge. */
export const dumpInput: fc.Arbitrary<DumpInput> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(documents, fc.constantFrom('yaml', 'json', 'list')).map(([docs, form]) => ({
      kind: `documents as ${form}`,
      bytes: utf8(
        form === 'yaml'
          ? docs.map((d) => stringify(d)).join('---\n')
          : form === 'json'
            ? JSON.stringify(docs[0])
            : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }),
      ),
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(documents, fc.nat(), fc.constantFrom(...BAD_BYTES)).map(([docs, at, bad]) => ({
      kind: `documents with bytes ${bad.join(',')} spliced in`,
      bytes: splice(utf8(docs.map((d) => stringify(d)).join('---\n')), at, bad),
    })),
  },
  {
    weight: 2,
    arbitrary: fc.string({ unit: 'binary', maxLength: 2000 }).map((t) => ({ kind: 'text', bytes: utf8(t) })),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 4000 }).map((bytes) => ({ kind: 'bytes', bytes })),
  },
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: bomb },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 2).chain(() => huge) },
);

/** CLI streams kept in memory. */
function memoryIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: process.stdin,
    env: {},
    isTTY: false,
  };
  return { io, out: () => out, err: () => err };
}

const CLI_DEPS: CliDeps = {
  readLive: () => Promise.reject(new Error('the dump fuzz never reads a live cluster')),
  runBot: () => Promise.reject(new Error('the dump fuzz never runs the bot')),
  now: () => new Date('2026-11-26T12:00:00Z'),
  version: 'fuzz',
};

/** Error codes a bad dump may end with: an input problem, never E_INTERNAL. */
const DUMP_CODES = /^error (E_INPUT_SYNTAX|E_INPUT_EMPTY|E_INPUT_UNREADABLE): \S/;

/** `check --from-file` on bytes in a directory of its own; `dir` is removed by the caller. */
export function dumpReaderTarget(dir: string): FuzzTarget<DumpInput> {
  let seq = 0;
  return {
    name: 'dump reader (check --from-file)',
    arbitrary: dumpInput,
    show: (input) =>
      `${input.kind}: ${shorten(Buffer.from(input.bytes.subarray(0, 300)).toString('latin1'))} (${input.bytes.length} bytes)`,
    judge: async (input) => {
      seq += 1;
      const file = join(dir, `dump-${seq}.yaml`);
      writeFileSync(file, input.bytes);
      const { io, out, err } = memoryIo();
      const heapBefore = process.memoryUsage().heapUsed;
      const start = process.hrtime.bigint();
      const output = (['table', 'json', 'markdown'] as const)[seq % 3] as string;
      try {
        const code = await runCli(
          ['check', '--from-file', file, '--fail-on', 'none', '--output', output],
          io,
          CLI_DEPS,
        );
        const ms = since(start);
        const bound = BOUNDS.dumpMs + (BOUNDS.dumpMsPerMb * input.bytes.length) / 1e6;
        if (ms > bound)
          throw new FuzzFailure(`check took ${ms.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`);
        if (code === 0) {
          if (out() === '') throw new FuzzFailure('exit 0 with no report');
        } else if (code === 2) {
          const first = err().split('\n')[0] ?? '';
          if (!DUMP_CODES.test(first)) throw new FuzzFailure(`not an input error: ${shorten(first, 400)}`);
          if (first.length > 2_000) throw new FuzzFailure(`an error line of ${first.length} characters`);
        } else {
          throw new FuzzFailure(`exit ${code}: ${shorten(err(), 400)}`);
        }
      } finally {
        rmSync(file, { force: true });
      }
      const grown = process.memoryUsage().heapUsed - heapBefore;
      if (grown > BOUNDS.heapBytes)
        throw new FuzzFailure(`heap grew by ${(grown / 1e6).toFixed(0)} MB over one input`);
    },
  };
}

/** A fresh directory for dump files. */
export function dumpDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'fuzz-dump-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// ---- target 3: interaction payloads (and slash commands) through the bot's Bolt receiver ----

export const USERS = [
  'U0ALICE',
  'U0BOB',
  'U0MALLORY',
  'W0CAROL',
  'U0ALICE\r\nx',
  'u0lower',
  '',
  'constructor',
];
const TEAMS = ['T0METALLB', 'T0METALLB', 'T0METALLB', 'T0ELSEWHERE', 'T0}x', '', 'toString', '__proto__'];
export const CHANNELS = [
  'C0FUZZ',
  'C0OTHER',
  'G0PRIVATE',
  'D0DIRECT',
  'C0../x',
  'C0:x:*',
  '',
  'hasOwnProperty',
];
const ACTIONS = [
  'metallb_approve',
  'metallb_reject',
  'metallb_propose_fix',
  'metallb_restore_backup',
  'metallb_mute',
  'not_ours',
];
const TS = ['1764158400.000100', '1.000001', '9999999999.999999', 'x', '', '1764158400.000100:x'];
const APPROVAL_IDS = ['f-0123456789abcdef', 'f-0000000000000000', 'f-1:*', '../../x', 'F-0123456789ABCDEF'];
const CLUSTERS = ['drifted', 'spare', 'other', 'x:*', '../../x', 'DRIFTED', ''];
const HASHES = ['0'.repeat(64), 'f'.repeat(64), 'abc', '0'.repeat(65)];

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const text = (pool: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 4, arbitrary: pick(pool) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) });

/** A button value: ours in shape with values from pools, JSON of anything, text, or huge. */
const buttonValue: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record(
        {
          a: text(APPROVAL_IDS),
          c: text(CLUSTERS),
          h: text(HASHES),
          f: text(['restart-speakers', 'release-ip', 'backup', 'restore', 'reapply-config']),
          t: fc.array(text(['shop/storefront', '0123456789abcdef', '../../x', 'b-20261126-120000-abcd']), {
            maxLength: 3,
          }),
          b: text(['b-20261126-120000-abcd', 'b-../../x', 'b-20261126-120000-abcd:*']),
          x: anyJson,
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(text(CLUSTERS), text(['0123456789abcdef', 'zz', '']), text(['IP_OUTSIDE_POOLS', 'x|y', '']))
      .map(([c, f, code]) => `${c}|${f}|${code}`),
  },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2_001, max: 200_000 }).map((n) => '{"a":"'.padEnd(n, 'x')) },
);

/** Stands for the response_url of a click until it is sent. */
const RESPONSE_URL = 'RESPONSE_URL';

/** Drops some top-level keys of a payload, as a forger might. */
const withoutKeys = (payload: Record<string, unknown>, drop: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(payload).filter(([key]) => !drop.includes(key)));

export type InteractionInput =
  | { kind: 'payload'; payload: unknown }
  | { kind: 'raw'; body: string }
  | { kind: 'command'; text: string; user: string; channel: string; team: string };

const blockActions: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    user: text(USERS),
    channel: text(CHANNELS),
    team: text(TEAMS),
    action: pick(ACTIONS),
    value: buttonValue,
    ts: text(TS),
    threadTs: fc.option(text(TS), { nil: undefined }),
    drop: fc.subarray(['user', 'channel', 'message', 'container', 'team', 'trigger_id', 'response_url']),
    actionsShape: fc.constantFrom('one', 'none', 'two', 'not-a-list'),
  })
  .map((r) => {
    const action = {
      action_id: r.action,
      block_id: 'actions',
      type: 'button',
      value: r.value,
      action_ts: '1764158400.000200',
    };
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: { id: r.user, username: 'fuzz', team_id: r.team },
      api_app_id: 'A0METALLB',
      token: 'verification-token-deprecated',
      container: { type: 'message', message_ts: r.ts, channel_id: r.channel },
      trigger_id: '1764158400.1.fuzz',
      team: { id: r.team, domain: 'metallb-test' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: r.channel, name: 'metallb-ops' },
      message: { type: 'message', ts: r.ts, ...(r.threadTs === undefined ? {} : { thread_ts: r.threadTs }) },
      state: { values: {} },
      response_url: RESPONSE_URL,
      actions:
        r.actionsShape === 'one'
          ? [action]
          : r.actionsShape === 'two'
            ? [action, { ...action, action_id: 'metallb_reject' }]
            : r.actionsShape === 'none'
              ? []
              : action,
    };
    return withoutKeys(payload, r.drop);
  });

const viewSubmission: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    user: text(USERS),
    callback: text(['metallb_mute_modal', 'metallb_change_modal', 'other_modal']),
    metadata: fc.oneof(
      fc
        .record(
          {
            cluster: text(CLUSTERS),
            findingId: text(['0123456789abcdef', 'zz']),
            code: text(['IP_OUTSIDE_POOLS', 'x']),
            channel: text(CHANNELS),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 100 }),
    ),
    reason: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(5000)), fc.constant('')),
    duration: text(['7d', '366d', '367d', '0s', '-1d', '1e9d', '']),
    values: fc.oneof(
      fc.constant('good'),
      anyJson.map((v) => ({ bad: v })),
    ),
  })
  .map((r) => ({
    type: 'view_submission',
    team: { id: 'T0METALLB', domain: 'metallb-test' },
    user: { id: r.user, username: 'fuzz', team_id: 'T0METALLB' },
    api_app_id: 'A0METALLB',
    token: 'verification-token-deprecated',
    trigger_id: '1764158400.1.fuzz',
    view: {
      id: 'V0FUZZ',
      team_id: 'T0METALLB',
      type: 'modal',
      blocks: [],
      private_metadata: r.metadata,
      callback_id: r.callback,
      state: {
        values:
          r.values === 'good'
            ? {
                mute_reason: { value: { type: 'plain_text_input', value: r.reason } },
                mute_duration: { value: { type: 'plain_text_input', value: r.duration } },
                // The change modal's fields (its sealed context is never forged right: refused, audited).
                change_yaml: { value: { type: 'plain_text_input', value: r.reason } },
                change_file: { value: { type: 'plain_text_input', value: r.duration } },
                change_prune: { value: { type: 'checkboxes', selected_options: [{ value: 'prune' }] } },
              }
            : r.values,
      },
      hash: 'h1',
    },
  }));

export const interactionInput: fc.Arbitrary<InteractionInput> = fc.oneof(
  { weight: 8, arbitrary: blockActions.map((payload) => ({ kind: 'payload' as const, payload })) },
  { weight: 3, arbitrary: viewSubmission.map((payload) => ({ kind: 'payload' as const, payload })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ text: commandText, user: text(USERS), channel: text(CHANNELS), team: text(TEAMS) })
      .map((r) => ({ kind: 'command' as const, ...r, text: r.text.slice(0, 20_000) })),
  },
  {
    weight: 1,
    arbitrary: anyJson.map((payload) => ({ kind: 'payload' as const, payload })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }))
      .map((body) => ({ kind: 'raw' as const, body: `payload=${encodeURIComponent(body)}` })),
  },
);

export interface BotUnderFuzz {
  /** Signs and posts a form body to the bot's events URL. */
  post(body: string): Promise<SignedResponse>;
  /** A fresh response_url the Slack stand-in serves. */
  responseUrl(): string;
  /** The bot's log lines so far. */
  logs(): string[];
}

/** The form-encoded body Slack would send for an input. */
function formBody(input: InteractionInput, responseUrl: string): string {
  if (input.kind === 'raw') return input.body;
  if (input.kind === 'command')
    return new URLSearchParams({
      token: 'verification-token-deprecated',
      team_id: input.team,
      channel_id: input.channel,
      channel_name: 'metallb-ops',
      user_id: input.user,
      user_name: 'fuzz',
      command: '/metallb',
      text: input.text,
      api_app_id: 'A0METALLB',
      response_url: responseUrl,
      trigger_id: '1764158400.1.fuzz',
    }).toString();
  // Each click gets a response_url of its own that the Slack stand-in serves.
  const payload = JSON.stringify(input.payload).replace(
    JSON.stringify(RESPONSE_URL),
    JSON.stringify(responseUrl),
  );
  return new URLSearchParams({ payload }).toString();
}

/** A slash command: a team id not shaped like Slack's is refused before Bolt (400); any other is answered. */
function judgeCommandAnswer(
  input: Extract<InteractionInput, { kind: 'command' }>,
  response: SignedResponse,
): void {
  if (input.team !== '' && !/^[A-Z0-9]{2,40}$/.test(input.team)) {
    if (response.status !== 400) throw new FuzzFailure(`a malformed team id answered ${response.status}`);
    return;
  }
  const answer = response.json as { text?: unknown } | undefined;
  if (response.status !== 200 || typeof answer?.text !== 'string')
    throw new FuzzFailure(`command answered ${response.status} ${shorten(response.text)}`);
  if (/E_INTERNAL/.test(answer.text)) throw new FuzzFailure(`E_INTERNAL: ${shorten(answer.text)}`);
  if (response.text.length > 40_000) throw new FuzzFailure(`an answer of ${response.text.length} characters`);
}

/** Log lines that mean a handler crashed or an unexpected error reached Bolt. */
const CRASH_LINE = /"msg":"(slack handler failed|slack request failed|An unhandled error occurred)/;

export function interactionTarget(bot: BotUnderFuzz): FuzzTarget<InteractionInput> {
  return {
    name: 'interaction payloads and slash commands (signed, through Bolt)',
    arbitrary: interactionInput,
    show: (input) =>
      input.kind === 'command'
        ? `command ${shorten(input.text)} by ${JSON.stringify(input.user)} in ${JSON.stringify(input.channel)} of ${JSON.stringify(input.team)}`
        : input.kind === 'raw'
          ? `raw ${shorten(input.body)}`
          : `payload ${shorten(JSON.stringify(input.payload), 400)}`,
    judge: async (input) => {
      const before = bot.logs().length;
      const body = formBody(input, bot.responseUrl());
      const start = process.hrtime.bigint();
      const response = await bot.post(body);
      const ms = since(start);
      // Give a handler that runs after the ack a moment to fail where we can see it.
      await new Promise((r) => setTimeout(r, 20));
      const crashes = bot
        .logs()
        .slice(before)
        .filter((line) => CRASH_LINE.test(line));
      if (crashes.length > 0) throw new FuzzFailure(`the bot logged ${shorten(crashes[0] ?? '', 500)}`);
      if (response.status >= 500) throw new FuzzFailure(`HTTP ${response.status}: ${shorten(response.text)}`);
      if (ms > BOUNDS.requestMs) throw new FuzzFailure(`answered after ${ms.toFixed(0)} ms`);
      if (input.kind === 'command') judgeCommandAnswer(input, response);
    },
  };
}

/** An input that prints as its short description in fast-check's reports (never megabytes of it). */
export interface Shown<T> {
  input: T;
  [fc.toStringMethod](): string;
}

/** Runs a target's property; fast-check's report on failure names the seed, the path and the shrunk input. */
export function property<T>(target: FuzzTarget<T>): fc.IAsyncPropertyWithHooks<[Shown<T>]> {
  const shown = target.arbitrary.map(
    (input): Shown<T> => ({ input, [fc.toStringMethod]: () => target.show(input) }),
  );
  return fc.asyncProperty(shown, ({ input }) => target.judge(input));
}
