/** MetalLB release versions, for behaviour that changed between releases. */

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** `0.14.9` or `v0.14.9` (a pre-release or build suffix is ignored); undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Whether `version` is `release` or newer; `release` is a literal like `0.14.2`. */
export function atLeast(version: Version, release: string): boolean {
  const r = parseVersion(release);
  if (r === undefined) throw new Error(`not a release: ${release}`);
  return (version.major - r.major || version.minor - r.minor || version.patch - r.patch) >= 0;
}
