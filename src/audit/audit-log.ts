/**
 * The audit log (issue 9, "Audit"): who, when, what, plan hash and outcome of every request, decision, refusal
 * and mutation. Entries go to a Redis stream trimmed to about `maxLength` (XADD MAXLEN ~), which `/metallb audit`
 * reads, and each is also written as a JSON log line first, so the record outlives the trim and a Redis outage.
 * An entry has fixed fields of ids, names and a short detail: no object can be dumped into it, and the detail
 * is scrubbed of token- and password-shaped text. Entries are logged at `info`: give the log its own logger at
 * `info` (not the LOG_LEVEL one) so that LOG_LEVEL=warn does not drop the record.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors';
import { redact, type Logger } from '../logger';

export type AuditOutcome = 'ok' | 'refused' | 'failed';

export interface AuditInput {
  /** Slack user id, `cli:<user>`, or `system` for the bot's own steps (expiry, sweep). */
  actor: string;
  /** Dotted verb: `fix.request`, `fix.approve`, `fix.refuse`, `mutation.delete`, `backup.create`, ... */
  action: string;
  outcome: AuditOutcome;
  /** Epoch ms; the log's clock when absent. */
  at?: number;
  cluster?: string;
  fix?: string;
  approvalId?: string;
  backupId?: string;
  planHash?: string;
  /** What exactly: the object touched, or why it was refused. One short, secret-free sentence. */
  detail?: string;
}

export interface AuditEntry extends Omit<AuditInput, 'at'> {
  /** The stream entry id. */
  id: string;
  /** ISO 8601. */
  at: string;
}

export interface AuditSink {
  record(input: AuditInput): Promise<void>;
}

const OPTIONAL = ['cluster', 'fix', 'approvalId', 'backupId', 'planHash', 'detail'] as const;
const DETAIL_MAX = 500;
const ACTION = /^[a-z][a-z-]*(\.[a-z][a-z-]*)*$/;
const CREDENTIAL = /\b(password|passwd|secret|token|authKey)(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi;
const LINE_LIMIT = 100;

/** Drops what must not be stored: secret-shaped text, and anything beyond a short sentence. */
export function scrub(text: string): string {
  const clean = redact(text).replace(CREDENTIAL, '$1$2[redacted]');
  return clean.length > DETAIL_MAX ? `${clean.slice(0, DETAIL_MAX - 1)}…` : clean;
}

export class AuditLog implements AuditSink {
  private readonly key: string;

  constructor(
    private readonly options: {
      redis: Redis;
      prefix: string;
      logger: Logger;
      /** The stream keeps about this many entries (AUDIT_MAX_ENTRIES would name it). */
      maxLength?: number;
      now?: () => number;
    },
  ) {
    this.key = `${options.prefix}:audit`;
  }

  /** Never throws: an audit write that fails is itself logged, and the JSON line is already out. */
  async record(input: AuditInput): Promise<void> {
    const at = new Date(input.at ?? (this.options.now ?? Date.now)()).toISOString();
    const fields = this.fields(input, at);
    this.options.logger.info('audit', Object.fromEntries(fields));
    try {
      await this.options.redis.xadd(
        this.key,
        'MAXLEN',
        '~',
        String(this.options.maxLength ?? 10_000),
        '*',
        ...fields.flat(),
      );
    } catch (error) {
      this.options.logger.warn('audit stream write failed; the log line above is the record', {
        action: input.action,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private fields(input: AuditInput, at: string): [string, string][] {
    const action = ACTION.test(input.action) ? input.action : 'unknown';
    const fields: [string, string][] = [
      ['at', at],
      ['actor', scrub(input.actor).slice(0, 100)],
      ['action', action],
      ['outcome', input.outcome],
    ];
    for (const name of OPTIONAL) {
      const value = input[name];
      if (value !== undefined && value !== '') fields.push([name, scrub(value)]);
    }
    return fields;
  }

  /** The latest `n` entries, newest first (`/metallb audit [n]`). */
  async latest(n: number): Promise<AuditEntry[]> {
    if (!Number.isInteger(n) || n < 1 || n > LINE_LIMIT) {
      throw new AppError('E_USAGE', `audit takes a count from 1 to ${LINE_LIMIT} (got ${n})`);
    }
    const rows = await this.options.redis.xrevrange(this.key, '+', '-', 'COUNT', n);
    return rows.map(([id, flat]) => toEntry(id, flat));
  }
}

function toEntry(id: string, flat: string[]): AuditEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i] as string, flat[i + 1] as string);
  const entry: AuditEntry = {
    id,
    at: map.get('at') ?? '',
    actor: map.get('actor') ?? '',
    action: map.get('action') ?? '',
    outcome: (map.get('outcome') ?? 'ok') as AuditOutcome,
  };
  for (const name of OPTIONAL) {
    const value = map.get(name);
    if (value !== undefined) entry[name] = value;
  }
  return entry;
}
