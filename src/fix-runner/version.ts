/** Whether a MetalLB version text (`v0.15.3`, `0.14.9`) is at least `wanted`; false when unknown. */
export function atLeastVersion(text: string | null, wanted: string): boolean {
  const parse = (v: string): number[] | undefined => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
  };
  const have = text === null ? undefined : parse(text);
  const want = parse(wanted);
  if (have === undefined || want === undefined) return false;
  for (let i = 0; i < 3; i += 1) {
    const a = have[i] as number;
    const b = want[i] as number;
    if (a !== b) return a > b;
  }
  return true;
}
