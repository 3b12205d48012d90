/**
 * A screen in front of Bolt's HTTP receiver. Bolt 5.1 reads `body.ssl_check` of the parsed body before any
 * listener runs: a correctly signed interaction whose `payload` is the JSON `null` throws there, in a promise
 * nobody catches, and Node ends the whole process (found by fuzzing, docs/reliability.md). The screen buffers the
 * body (Bolt then reads it from `req.rawBody`) and refuses, with 400 and an audit entry, a signed body that is
 * not a JSON object, an interaction without what Bolt takes for granted in one (a user id; a click's actions; a
 * modal's view), or a team id that is not shaped like Slack's, on all of which Bolt throws and answers 500. Anything else, unsigned bodies included, goes to Bolt
 * unchanged, which checks the signature and answers as always.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { HTTPModuleFunctions, isValidSlackRequest, type Logger as BoltLogger } from '@slack/bolt';
import { malformedIds, originOf } from './workspace-guard';

export interface ScreenOptions {
  signingSecret: string;
  /** The path of Slack's requests (Bolt's default `/slack/events`). */
  path?: string;
  /** A signed request was refused; `reason` is a short sentence. */
  onRefused(reason: string): void;
  /** An error of the screen itself (the request is then answered 400). */
  onError?(error: unknown): void;
  /** Bolt's logger, for what Bolt's server logs of an error of its own listener. */
  logger: BoltLogger;
}

const isObject = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Why Bolt could not take this body as a request, or undefined when it can (or when Bolt refuses it itself). */
export function bodyProblem(text: string, contentType: string | undefined): string | undefined {
  let parsed: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parse(text);
      if (typeof form.payload !== 'string') return workspaceProblem({ ...form });
      parsed = JSON.parse(form.payload) as unknown;
    } else {
      parsed = JSON.parse(text) as unknown;
    }
  } catch {
    // Bolt answers 400 itself ("Malformed request body"), after checking the signature.
    return undefined;
  }
  if (!isObject(parsed))
    return `request body is not a JSON object (${parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : typeof parsed})`;
  return (
    workspaceProblem(parsed as Record<string, unknown>) ??
    interactionProblem(parsed as Record<string, unknown>)
  );
}

/**
 * Bolt keeps a WebClient per team in a plain object keyed by the request's team id: a team id such as
 * `toString` or `__proto__` finds a function there and Bolt throws (HTTP 500). Team and enterprise ids must be
 * shaped like Slack's before Bolt sees them (the workspace guard then compares them with the bot's own).
 */
function workspaceProblem(body: Record<string, unknown>): string | undefined {
  const malformed = malformedIds(originOf(body)).filter(
    (name) => name === 'teamId' || name === 'enterpriseId',
  );
  return malformed.length > 0 ? `request with malformed ids: ${malformed.join(', ')}` : undefined;
}

const field = (value: unknown, name: string): unknown =>
  isObject(value) ? (value as Record<string, unknown>)[name] : undefined;

/**
 * What Bolt 5.1 takes for granted in an interaction payload and throws on (HTTP 500) when it is missing: the
 * user who acted, the actions of a click, the view of a modal. Slack always sends them; a payload without them
 * is forged or broken.
 */
function interactionProblem(body: Record<string, unknown>): string | undefined {
  const type = body.type;
  // Interactions and events always name their type; without one Bolt drops the request after 3 s with a 404.
  if (typeof type !== 'string') return 'request body without a type';
  if (type !== 'block_actions' && type !== 'view_submission' && type !== 'view_closed') return undefined;
  if (typeof field(body.user, 'id') !== 'string') return `${type} payload without a user id`;
  if (type === 'block_actions') {
    const actions = body.actions;
    if (!Array.isArray(actions) || actions.length === 0) return 'block_actions payload without actions';
    if (!actions.every((a) => typeof field(a, 'action_id') === 'string'))
      return 'block_actions payload with an action that has no action_id';
    return undefined;
  }
  if (typeof field(body.view, 'callback_id') !== 'string')
    return `${type} payload without a view callback_id`;
  if (!isObject(field(field(body.view, 'state'), 'values')))
    return `${type} payload without view state values`;
  return undefined;
}

function signed(req: IncomingMessage, text: string, signingSecret: string): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return false;
  return isValidSlackRequest({
    signingSecret,
    body: text,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
  });
}

/** Wraps Bolt's request listener (`HTTPReceiver.requestListener`) with the screen. */
export function screenRequests(bolt: RequestListener, options: ScreenOptions): RequestListener {
  const path = options.path ?? '/slack/events';
  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      void bolt(req, res);
    } catch (error) {
      // What Bolt's own server does with an error of its listener (an unknown path, say).
      HTTPModuleFunctions.defaultDispatchErrorHandler({
        error: error as Parameters<typeof HTTPModuleFunctions.defaultDispatchErrorHandler>[0]['error'],
        logger: options.logger,
        request: req,
        response: res,
      });
    }
  };
  return (req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || url !== path) {
      pass(req, res);
      return;
    }
    void (async () => {
      let text: string;
      try {
        const buffered = await HTTPModuleFunctions.bufferIncomingMessage(
          req,
          HTTPModuleFunctions.defaultBodyLimit,
        );
        text = buffered.rawBody.toString();
      } catch (error) {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
        HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
        return;
      }
      const problem = bodyProblem(text, req.headers['content-type']);
      if (problem !== undefined && signed(req, text, options.signingSecret)) {
        options.onRefused(problem);
        HTTPModuleFunctions.buildNoBodyResponse(res, 400);
        return;
      }
      pass(req, res);
    })().catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 400);
    });
  };
}
