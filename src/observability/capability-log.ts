/**
 * The start log of what the bot may do in each cluster (capabilities.ts), so an operator reading the log after an
 * install sees which fixes are off and which permission each lacks.
 */
import { checkCapabilities, summarizeCapabilities, type MetalLbCluster } from '../kubernetes';
import type { Logger } from '../logger';

/** One log line per cluster: which capabilities its identity has, and what each missing one lacks. */
export async function logCapabilities(
  clusters: ReadonlyMap<string, MetalLbCluster>,
  metallbNamespace: string | undefined,
  logger: Logger,
): Promise<void> {
  await Promise.all(
    [...clusters].map(async ([name, port]) => {
      const caps = await checkCapabilities(port, metallbNamespace);
      const fields = {
        cluster: name,
        capabilities: summarizeCapabilities(caps),
        ...(caps.known
          ? {
              missing: Object.fromEntries(
                caps.capabilities.filter((c) => !c.granted).map((c) => [c.capability, c.missing]),
              ),
            }
          : {}),
      };
      if (caps.known) logger.info('cluster capabilities', fields);
      else logger.warn('cluster capabilities unknown', fields);
    }),
  );
}
