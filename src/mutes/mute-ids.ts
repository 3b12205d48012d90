/**
 * The strict shapes of what reaches a Redis key or a mute: a mute id, a cluster name, a finding id. Checked before
 * any key is built, so a hostile `/metallb unmute` argument can never name another key.
 */
import { randomBytes } from 'node:crypto';
import { CLUSTER_NAME } from '../config';
import { AppError } from '../errors';

export const MUTE_ID = /^m-[0-9a-f]{8}$/;
export const FINDING_ID = /^[0-9a-f]{16}$/;

export function isMuteId(text: string): boolean {
  return MUTE_ID.test(text);
}

export function newMuteId(): string {
  return `m-${randomBytes(4).toString('hex')}`;
}

export function assertMuteId(id: string): void {
  if (!MUTE_ID.test(id))
    throw new AppError('E_USAGE', `"${id.slice(0, 40)}" is not a mute id ("m-" and 8 hex characters)`);
}

export function assertClusterName(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster) || cluster.length > 63)
    throw new AppError('E_USAGE', `"${cluster.slice(0, 40)}" is not a cluster name`);
}
