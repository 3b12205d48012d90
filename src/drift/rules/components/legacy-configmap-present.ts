/**
 * LEGACY_CONFIGMAP_PRESENT: a ConfigMap in the MetalLB namespace holds a pre-0.13 config (`config` key with
 * `address-pools`). MetalLB ignores it since 0.13; the details say which of its pools the IPAddressPools lack.
 * When the embedded config does not parse, the finding says so and why, and claims no comparison.
 */
import { parse } from 'yaml';
import { parseAddressEntry } from '../../addresses';
import { refOf, type AnalysisContext, type PoolView } from '../../context';
import { at, bool, str, strMap, strs } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

export interface LegacyPoolComparison {
  /** The pool's name, or `#N` (its position) when it has none. */
  name: string;
  addresses: string[];
  /** The IPAddressPool compared with, or null when none has its name. */
  ipAddressPool: string | null;
  /** `missing`, or the settings that differ: `addresses`, `autoAssign`, `avoidBuggyIPs`. */
  differences: string[];
}

interface LegacyConfig {
  pools: unknown[] | undefined;
  parseError: string | undefined;
}

function readConfig(text: string): LegacyConfig {
  try {
    const doc: unknown = parse(text);
    const pools = at(doc, 'address-pools');
    return { pools: Array.isArray(pools) ? pools : undefined, parseError: undefined };
  } catch (error) {
    // Unreadable YAML: whether it is a MetalLB config can still be seen from its text.
    const pools = /^[ \t]*address-pools[ \t]*:/m.test(text) ? [] : undefined;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { pools, parseError: message };
  }
}

/** Entries compared by the addresses they cover, so `10.0.0.0/30` equals `10.0.0.0-10.0.0.3`. */
function addressKeys(entries: readonly string[]): string[] {
  return entries
    .map((entry) => {
      const parsed = parseAddressEntry(entry.trim());
      return parsed.ok
        ? `${parsed.range.family}:${parsed.range.start.toString()}-${parsed.range.end.toString()}`
        : entry.trim();
    })
    .sort();
}

/** The migration tool (0.13.11+) lowercases names and turns `_` into `-`. */
function findPool(ctx: AnalysisContext, name: string): PoolView | undefined {
  return ctx.poolsByName.get(name) ?? ctx.poolsByName.get(name.toLowerCase().replace(/_/g, '-'));
}

function compare(ctx: AnalysisContext, legacy: unknown, index: number): LegacyPoolComparison {
  // A nameless entry is still listed, by its position, so the user can find it.
  const name = str(legacy, 'name') || `#${index + 1}`;
  const addresses = strs(legacy, 'addresses');
  const pool = findPool(ctx, name);
  if (!pool) return { name, addresses, ipAddressPool: null, differences: ['missing'] };
  const differences: string[] = [];
  if (addressKeys(addresses).join(',') !== addressKeys(pool.entries.map((e) => e.text)).join(',')) {
    differences.push('addresses');
  }
  if ((bool(legacy, 'auto-assign') ?? true) !== pool.autoAssign) differences.push('autoAssign');
  if ((bool(legacy, 'avoid-buggy-ips') ?? false) !== pool.avoidBuggyIps) differences.push('avoidBuggyIPs');
  return { name, addresses, ipAddressPool: pool.name, differences };
}

export const legacyConfigmapPresent: Rule = {
  name: 'legacy-configmap-present',
  codes: ['LEGACY_CONFIGMAP_PRESENT'],
  run: (ctx) => {
    // Before 0.13 this ConfigMap is the configuration itself.
    if (ctx.versionAtLeast('0.13.0') === false) return [];
    return ctx.inNamespace('ConfigMap').flatMap((cm): FindingDraft[] => {
      const text = strMap(cm, 'data').config;
      if (text === undefined) return [];
      const config = readConfig(text);
      if (!config.pools) return [];
      const ref = refOf(cm);
      if (config.parseError !== undefined) {
        return [
          {
            code: 'LEGACY_CONFIGMAP_PRESENT',
            resource: ref,
            message:
              `ConfigMap ${ref.namespace ?? ''}/${ref.name} holds a pre-0.13 MetalLB config whose embedded YAML ` +
              `could not be read (${config.parseError}), so it was not compared with the IPAddressPools; MetalLB ` +
              'ignores it since 0.13, so move what is still needed to IPAddressPools and delete it.',
            details: { parseError: config.parseError },
          },
        ];
      }
      const pools = config.pools.map((p, i) => compare(ctx, p, i));
      const differ = pools.filter((p) => p.differences.length > 0).map((p) => p.name);
      const summary =
        differ.length === 0
          ? 'every one of its pools matches an IPAddressPool'
          : `${differ.join(', ')} differ${differ.length === 1 ? 's' : ''} from the IPAddressPools`;
      return [
        {
          code: 'LEGACY_CONFIGMAP_PRESENT',
          resource: ref,
          message:
            `ConfigMap ${ref.namespace ?? ''}/${ref.name} holds a pre-0.13 MetalLB config with ` +
            `${pools.length} address pool${pools.length === 1 ? '' : 's'} (${summary}); MetalLB ignores it ` +
            'since 0.13, so move what is still needed to IPAddressPools and delete it.',
          details: { pools, differ },
        },
      ];
    });
  },
};
