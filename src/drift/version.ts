/**
 * MetalLB versions: parsing, comparison, the running version read from the controller, and the releases whose
 * behaviour the engine and the fixes branch on. An unknown version answers `undefined`, and each caller decides
 * what that means (docs/findings.md, "Terms").
 */
import { labelsOf, str } from './fields';
import { mainContainer } from './metallb-facts';
import type { KubeObject } from './model';

/** A semantic version `major.minor.patch`. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** From 0.14.2 AddressPool objects are no longer read as pools (below it they are, beside IPAddressPools). */
export const ADDRESS_POOLS_DROPPED_IN = '0.14.2';
/**
 * From 0.14.2 a config that strands an assigned IP is applied and the IP is cleared and reassigned; below it the
 * controller refuses that config and keeps running on the old one.
 */
export const STRANDED_IPS_CLEARED_FROM = '0.14.2';
/** From 0.14.9 the `metallb.io/` service annotations are read (first) and written; below it only the legacy ones. */
export const CURRENT_PREFIX_FROM = '0.14.9';

export function parseVersion(text: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True/false against a known version; undefined when the version (or the wanted text) is unknown. */
export function versionAtLeast(version: Version | undefined, wanted: string): boolean | undefined {
  const w = parseVersion(wanted);
  if (!version || !w) return undefined;
  return compareVersions(version, w) >= 0;
}

/** The tag of an image reference (`quay.io/metallb/controller:v0.14.9@sha256:...` -> `v0.14.9`). */
function imageTag(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const withoutDigest = image.split('@')[0] as string;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

/** The running MetalLB version: the controller image's tag, else its `app.kubernetes.io/version` label. */
export function controllerVersion(controller: KubeObject | undefined): {
  text: string | null;
  version: Version | undefined;
} {
  if (controller === undefined) return { text: null, version: undefined };
  const candidates = [
    imageTag(str(mainContainer(controller, 'controller'), 'image')),
    labelsOf(controller)['app.kubernetes.io/version'],
  ];
  for (const candidate of candidates) {
    const version = parseVersion(candidate);
    if (version) return { text: `${version.major}.${version.minor}.${version.patch}`, version };
  }
  return { text: null, version: undefined };
}
