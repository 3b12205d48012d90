/**
 * The Prometheus registry of a bot process, on prom-client: the bot's own series (src/bot/bot-metrics.ts) and
 * Node's default process metrics (CPU, memory, event-loop lag, GC, handles), served on `/metrics`.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry of its own per process, not prom-client's global one, so tests can build several side by side. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
