/**
 * Mutes made in Slack (issue 10, "Mutes in Slack"): the store API. A stored mute is the engine's `Mute` (the same
 * matcher as `check --ignore`, drift/mutes.ts) plus who made it, when, where, and for which one cluster. Every
 * consumer (checks, `/metallb mutes`, digests, `mutes export`) reads through this interface; the Redis
 * implementation is redis-mute-store.ts.
 */
import type { Mute } from '../drift/model';

/** What a mute matches: one finding by id, or a code with an optional resource pattern (each exact or `*`). */
export type MuteTarget =
  | { findingId: string }
  | { code: string; kind?: string; namespace?: string; name?: string };

/** A mute as stored: the engine's Mute plus its cluster and provenance. */
export interface StoredMute extends Mute {
  /** The one cluster it applies to. */
  cluster: string;
  /** Slack user id, or `cli:<user>`. */
  createdBy: string;
  /** ISO-8601. */
  createdAt: string;
  /** The Slack channel it was made in, when made in Slack. */
  channel?: string;
}

/** What `add` takes; the store chooses the id and the creation time. */
export interface NewMute {
  cluster: string;
  target: MuteTarget;
  reason: string;
  createdBy: string;
  channel?: string;
  /** ISO-8601; absent means until unmuted. */
  expires?: string;
}

/**
 * Mutes per cluster. Cluster names and mute ids are validated before they reach a key: a bad one is an
 * `E_USAGE` AppError, never a lookup of some other key.
 */
export interface MuteStore {
  /** Stores a new mute with a fresh id (`m-` + 8 hex) and returns it. */
  add(mute: NewMute, now: Date): Promise<StoredMute>;
  /** Removes a mute by id, whatever its cluster; returns what was removed, or undefined if there was none. */
  remove(id: string): Promise<StoredMute | undefined>;
  /** One mute by id, whatever its cluster. */
  get(id: string): Promise<StoredMute | undefined>;
  /**
   * Every mute of the cluster still kept, expired ones included (they are kept for a retention period so digests
   * can say they expired), oldest first.
   */
  list(cluster: string): Promise<StoredMute[]>;
  /** The mutes of the cluster in force at `now` (not expired), oldest first. */
  active(cluster: string, now: Date): Promise<StoredMute[]>;
  /**
   * Mutes of the cluster whose `expires` lies in (`from`, `to`]: what a digest reports as "mute m-… expired"
   * between the previous digest and this one. Removed (unmuted) mutes are not listed.
   */
  expiredBetween(cluster: string, from: Date, to: Date): Promise<StoredMute[]>;
}

/** The engine's view of a stored mute (what `analyze` and the `--ignore` file take). */
export function engineMute(mute: StoredMute): Mute {
  const { id, findingId, code, kind, namespace, name, reason, expires } = mute;
  const out: Mute = { id, reason };
  if (findingId !== undefined) out.findingId = findingId;
  if (code !== undefined) out.code = code;
  if (kind !== undefined) out.kind = kind;
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (expires !== undefined) out.expires = expires;
  return out;
}
