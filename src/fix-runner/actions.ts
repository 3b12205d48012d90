/**
 * One plan action against the cluster, idempotent so a resumed step can repeat it: a delete of something already
 * gone, or a create of something already there and equal, does nothing. Every write carries the resourceVersion
 * of a read made just before it, and a config object is only deleted or replaced while it is still what the plan
 * (the backup) says: anything else is E_CONFLICT, which stops the fix.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../drift/model';
import { AppError } from '../errors';
import type { MetalLbCluster, ObjectRef } from '../kubernetes';
import { cloneJson, configKey, peerPassword, stripRuntime } from '../fixes/config-objects';
import type { PlanAction, PlanObjectRef } from '../fixes/plan';

export interface ActionContext {
  cluster: MetalLbCluster;
  now: () => Date;
  /** The BGPPeer password a re-created or replaced peer gets, by `BGPPeer/name` (never in a plan). */
  password(key: string, from: PlanAction & { manifest: KubeObject }): string | undefined;
  /** Called before a pin is written, so a crash right after still knows to remove it. */
  pinning(service: string, keys: string[]): Promise<void>;
}

export function refOf(object: PlanObjectRef): ObjectRef {
  return {
    kind: object.kind,
    name: object.name,
    ...(object.namespace !== null && object.namespace !== undefined ? { namespace: object.namespace } : {}),
  };
}

export function describeRef(object: PlanObjectRef): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

function withoutPassword(obj: KubeObject): KubeObject {
  const copy = stripRuntime(obj);
  delete copy.apiVersion;
  if (copy.kind === 'BGPPeer' && copy.spec && typeof copy.spec === 'object')
    delete (copy.spec as Record<string, unknown>).password;
  return copy;
}

/** Whether the live object is the manifest (runtime fields and apiVersion aside; a password only if given). */
export function sameObject(live: KubeObject, manifest: KubeObject, password?: string): boolean {
  if (!isDeepStrictEqual(withoutPassword(live), withoutPassword(manifest))) return false;
  return password === undefined || peerPassword(live) === password;
}

function fullManifest(ctx: ActionContext, action: PlanAction & { manifest: KubeObject }): KubeObject {
  const manifest = stripRuntime(cloneJson(action.manifest));
  if (manifest.kind !== 'BGPPeer') return manifest;
  const password = ctx.password(configKey(manifest), action);
  const spec = { ...((manifest.spec as Record<string, unknown> | undefined) ?? {}) };
  if (password !== undefined) spec.password = password;
  return { ...manifest, spec };
}

function conflict(what: string): AppError {
  return new AppError('E_CONFLICT', what);
}

async function live(ctx: ActionContext, object: PlanObjectRef): Promise<KubeObject | undefined> {
  return ctx.cluster.getObject(refOf(object));
}

function rv(obj: KubeObject): string {
  const value = obj.metadata?.resourceVersion;
  if (typeof value !== 'string')
    throw new AppError('E_API', `${obj.kind} ${String(obj.metadata?.name)} has no resourceVersion`);
  return value;
}

/** The annotation keys a patch sets to a value (a pin) on a Service. */
export function pinKeysOf(action: PlanAction): string[] {
  if (action.action !== 'patch' || action.object.kind !== 'Service' || action.subresource) return [];
  const annotations = (action.patch.metadata as { annotations?: Record<string, unknown> } | undefined)
    ?.annotations;
  return Object.entries(annotations ?? {})
    .filter(([key, value]) => key.endsWith('/loadBalancerIPs') && typeof value === 'string')
    .map(([key]) => key);
}

/**
 * Runs one action. `expected` is the config object the plan says is there now (the one deleted in a
 * re-create step): a delete of anything else is a conflict.
 */
export async function runAction(
  ctx: ActionContext,
  action: PlanAction,
  expected?: KubeObject,
): Promise<void> {
  switch (action.action) {
    case 'backup':
      return; // taken before the first step
    case 'delete':
      return remove(ctx, action, expected);
    case 'create':
      return create(ctx, action);
    case 'replace':
      return replace(ctx, action);
    case 'patch': {
      const current = await live(ctx, action.object);
      if (current === undefined) throw conflict(`${describeRef(action.object)} is gone`);
      const keys = pinKeysOf(action);
      if (keys.length > 0) await ctx.pinning(`${action.object.namespace ?? ''}/${action.object.name}`, keys);
      await ctx.cluster.patchObject(refOf(action.object), action.patch, rv(current), action.subresource);
      return;
    }
    case 'restart': {
      const kind = action.object.kind;
      if (kind !== 'Deployment' && kind !== 'DaemonSet')
        throw new AppError('E_INTERNAL', `cannot restart a ${kind}`);
      await ctx.cluster.rolloutRestart(kind, action.object.namespace ?? '', action.object.name, ctx.now());
      return;
    }
  }
}

async function create(ctx: ActionContext, action: PlanAction & { action: 'create' }): Promise<void> {
  const manifest = fullManifest(ctx, action);
  const current = await live(ctx, action.object);
  if (current !== undefined) {
    if (sameObject(current, manifest)) return;
    throw conflict(`${describeRef(action.object)} exists already and differs from the backup's copy`);
  }
  await ctx.cluster.createObject(manifest);
}

async function replace(ctx: ActionContext, action: PlanAction & { action: 'replace' }): Promise<void> {
  const manifest = fullManifest(ctx, action);
  const current = await live(ctx, action.object);
  if (current === undefined) {
    await ctx.cluster.createObject(manifest);
    return;
  }
  if (sameObject(current, manifest)) return;
  await ctx.cluster.replaceObject({
    ...manifest,
    metadata: { ...manifest.metadata, resourceVersion: rv(current) },
  });
}

async function remove(
  ctx: ActionContext,
  action: PlanAction & { action: 'delete' },
  expected: KubeObject | undefined,
): Promise<void> {
  const current = await live(ctx, action.object);
  if (current === undefined) return;
  if (expected !== undefined && !sameObject(current, expected))
    throw conflict(`${describeRef(action.object)} changed since the backup; it was not deleted`);
  await ctx.cluster.deleteObject(refOf(action.object), rv(current));
}
