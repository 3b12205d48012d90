/** When a log line was written: its JSON `ts` (RFC3339 or epoch seconds) or a leading RFC3339 timestamp. */
function lineTime(line: string): number | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const ts = (JSON.parse(trimmed) as { ts?: unknown }).ts;
      if (typeof ts === 'number') return ts * 1000;
      if (typeof ts === 'string' && !Number.isNaN(Date.parse(ts))) return Date.parse(ts);
    } catch {
      // not JSON after all: fall through to a leading timestamp
    }
  }
  const lead = /^(\d{4}-\d\d-\d\dT[^\s]+)\s/.exec(trimmed);
  if (lead && !Number.isNaN(Date.parse(lead[1] as string))) return Date.parse(lead[1] as string);
  return undefined;
}

/**
 * The kubelet's answer to a log request, for a log kept as text. `sinceSeconds` keeps lines written at or after
 * now minus that many seconds; a line without a time of its own was written with the line before it, and lines
 * before the first timed line count as older than any window. `tailLines` then keeps the last lines.
 */
export function selectLogLines(
  text: string,
  options: { sinceSeconds?: number; tailLines?: number; now: number },
): string {
  let lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (options.sinceSeconds !== undefined) {
    const cutoff = options.now - options.sinceSeconds * 1000;
    let current: number | undefined;
    lines = lines.filter((line) => {
      current = lineTime(line) ?? current;
      return current !== undefined && current >= cutoff;
    });
  }
  if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
  return lines.map((l) => `${l}\n`).join('');
}

/** Splits the pod segment of a proxy path: `name`, `name:port`, `https:name:port`. */
export function parseProxyTarget(segment: string): { scheme: string; pod: string; port: string | undefined } {
  const parts = segment.split(':');
  if (parts.length === 3) return { scheme: parts[0] as string, pod: parts[1] as string, port: parts[2] };
  if (parts.length === 2) return { scheme: 'http', pod: parts[0] as string, port: parts[1] };
  return { scheme: 'http', pod: segment, port: undefined };
}
