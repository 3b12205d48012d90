/**
 * The Bolt app: Socket Mode by default, HTTP with signed requests when SLACK_MODE=http. Which event goes to which
 * handler is slack/routes.ts's; this file only builds the receiver and the app.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { SlackSettings } from '../config';
import type { Logger } from '../logger';
import { healthRoutes, type HealthDeps } from '../observability/health';
import { screenRequests } from '../slack/request-screen';
import { registerRoutes, type RouteDeps } from '../slack/routes';

export interface SlackAppOptions {
  slack: SlackSettings;
  port: number;
  logger: Logger;
  routes: RouteDeps;
  health: HealthDeps;
}

export interface SlackApp {
  app: App;
  /** Socket Mode: whether the socket is connected now. HTTP mode: always true once started. */
  connected(): boolean;
  /** Starts receiving; in HTTP mode returns the port it listens on. */
  start(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Bolt's receiver refuses a bad signature or an old timestamp (401) and only logs it, with this prefix. */
const REFUSED_REQUEST = 'Failed to parse and verify the request data: ';

/**
 * Bolt logs through ours, so its lines are structured and redacted too. Its line about a request it refused is
 * the only sign of one, so that line is also handed to `onRefused` (the audit log).
 */
function boltLogger(logger: Logger, onRefused?: (reason: string) => void): BoltLogger {
  let level = LogLevel.INFO;
  const text = (msgs: unknown[]): string =>
    msgs
      .map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(' ');
  return {
    debug: (...m: unknown[]) => logger.debug(text(m), { source: 'bolt' }),
    info: (...m: unknown[]) => logger.info(text(m), { source: 'bolt' }),
    warn: (...m: unknown[]) => {
      const line = text(m);
      logger.warn(line, { source: 'bolt' });
      if (onRefused && line.startsWith(REFUSED_REQUEST)) onRefused(line.slice(REFUSED_REQUEST.length));
    },
    error: (...m: unknown[]) => logger.error(text(m), { source: 'bolt' }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { slack, logger } = options;
  const clientOptions = { slackApiUrl: slack.apiUrl };
  let connected = slack.mode === 'http';
  let app: App;
  if (slack.mode === 'socket') {
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken ?? '',
      logger: boltLogger(logger),
      installerOptions: { clientOptions },
    });
    receiver.client.on('connected', () => {
      connected = true;
      logger.info('slack socket connected');
    });
    // With auto-reconnect on, a dropped socket emits 'close' and then 'reconnecting', never 'disconnected'.
    const lost = (event: string) => () => {
      if (connected) logger.warn('slack socket disconnected', { event });
      connected = false;
    };
    for (const event of ['close', 'reconnecting', 'disconnecting', 'disconnected'])
      receiver.client.on(event, lost(event));
    app = new App({ token: slack.botToken, receiver, clientOptions, logger: boltLogger(logger) });
  } else {
    const audit = options.routes.audit;
    const onRefused = (reason: string): void =>
      void audit?.record({ actor: 'unknown', action: 'slack.refuse', outcome: 'refused', detail: reason });
    const httpLogger = boltLogger(logger, onRefused);
    const signingSecret = slack.signingSecret ?? '';
    const receiver = new HTTPReceiver({
      signingSecret,
      logger: httpLogger,
      customRoutes: healthRoutes(options.health),
    });
    // Signed bodies Bolt cannot take (a `null` payload would end the process) are refused before it sees them.
    receiver.requestListener = screenRequests(receiver.requestListener, {
      signingSecret,
      logger: httpLogger,
      onRefused: (reason) => {
        logger.warn('slack request refused', { reason });
        onRefused(reason);
      },
      onError: (error) =>
        logger.error('slack request screen failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
    });
    app = new App({ token: slack.botToken, receiver, clientOptions, logger: httpLogger });
  }

  registerRoutes(app, options.routes);

  app.error(async (error) => {
    logger.error('slack handler failed', { error: error.message, code: (error as { code?: string }).code });
    return Promise.resolve();
  });

  return {
    app,
    connected: () => connected,
    async start() {
      if (slack.mode === 'http') {
        const server = (await app.start(options.port)) as { address(): unknown } | undefined;
        const address = server?.address() as { port?: number } | null | undefined;
        return address?.port;
      }
      await app.start();
      return undefined;
    },
    async stop() {
      await app.stop();
    },
  };
}
