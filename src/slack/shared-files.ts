/**
 * Reading a file a person shared in a channel, for the change modal: the reference they typed (a file link or a
 * file id) is parsed strictly, `files.info` (scope `files:read`) says what the file is and where it is shared,
 * and its bytes come from `url_private` with the bot token in the Authorization header. A file not shared in the
 * channel the modal was opened in is refused: the bot may see files of channels the requester cannot.
 */
import { webApi } from '@slack/bolt';
import { isAppError } from '../errors';
import { decodeInput } from '../snapshot/decode';

/** Beyond this, a "MetalLB config" file is something else; checked on files.info's size and on the bytes. */
export const MAX_SHARED_FILE_BYTES = 1024 * 1024;

const FILE_ID = /^F[A-Z0-9]{6,20}$/;

/**
 * The file id a user's reference names: the id itself, a permalink (`https://WS.slack.com/files/U…/F…/name`) or
 * a `url_private` (`https://files.slack.com/files-pri/T…-F…/name`); undefined for anything else.
 */
export function fileIdOf(reference: string): string | undefined {
  const text =
    reference
      .trim()
      .replace(/^<(.*)>$/, '$1')
      .split('|')[0]
      ?.trim() ?? '';
  if (FILE_ID.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const permalink = /^\/files\/[A-Z0-9]+\/(F[A-Z0-9]{6,20})(?:\/|$)/.exec(url.pathname);
  const privateUrl = /^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]{6,20})(?:\/|$)/.exec(url.pathname);
  return permalink?.[1] ?? privateUrl?.[1];
}

export type SharedFileResult =
  | { ok: true; id: string; name: string; text: string }
  | { ok: false; problem: string };

/** Reads the text of a file shared in `channel`; never throws, every failure is a sentence for the modal. */
export type SharedFileReader = (
  fileId: string,
  channel: string,
  signal: AbortSignal,
) => Promise<SharedFileResult>;

interface FileInfo {
  name?: string;
  size?: number;
  mode?: string;
  is_external?: boolean;
  url_private?: string;
  channels?: string[];
  groups?: string[];
  ims?: string[];
  shares?: { public?: Record<string, unknown>; private?: Record<string, unknown> };
}

/** Whether files.info says the file is shared in `channel`. */
export function sharedIn(file: FileInfo, channel: string): boolean {
  const lists = [file.channels, file.groups, file.ims].flatMap((l) => l ?? []);
  const shares = [file.shares?.public, file.shares?.private].flatMap((s) => Object.keys(s ?? {}));
  return lists.includes(channel) || shares.includes(channel);
}

const INFO_ERRORS: Record<string, string> = {
  file_not_found: 'Slack knows no such file (check the link, or share the file again)',
  file_deleted: 'that file was deleted',
  missing_scope:
    'the bot may not read files (the files:read scope is missing: an admin must reinstall the app); paste the YAML instead',
  not_allowed_token_type: 'the bot may not read files; paste the YAML instead',
};

function infoProblem(error: unknown): string {
  const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
  if (typeof code === 'string') return INFO_ERRORS[code] ?? `Slack refused to describe the file (${code})`;
  return 'Slack did not answer about the file in time; try again or paste the YAML';
}

async function download(
  url: string,
  token: string,
  signal: AbortSignal,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; problem: string }> {
  // A redirect means Slack did not take the token (it sends a sign-in page): never follow it.
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    redirect: 'manual',
    signal,
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, problem: `Slack did not hand over the file (HTTP ${response.status})` };
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_SHARED_FILE_BYTES) {
    await response.body?.cancel();
    return { ok: false, problem: `the file is larger than ${MAX_SHARED_FILE_BYTES / 1024} KiB` };
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_SHARED_FILE_BYTES)
    return { ok: false, problem: `the file is larger than ${MAX_SHARED_FILE_BYTES / 1024} KiB` };
  return { ok: true, bytes };
}

/** The reader over the WebClient (files.info) and fetch (url_private), both with the bot token. */
export function webClientFileReader(options: {
  token: string;
  apiUrl: string;
  timeoutMs?: number;
}): SharedFileReader {
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 2000,
    logLevel: webApi.LogLevel.ERROR,
  });
  const read = async (fileId: string, channel: string, signal: AbortSignal): Promise<SharedFileResult> => {
    let file: FileInfo;
    try {
      const info = await client.files.info({ file: fileId });
      file = (info.file ?? {}) as FileInfo;
    } catch (error) {
      return { ok: false, problem: infoProblem(error) };
    }
    const name = file.name ?? fileId;
    if (!sharedIn(file, channel))
      return {
        ok: false,
        problem: `${name} is not shared in this channel; share it here first, or paste it`,
      };
    if (file.is_external === true || file.mode === 'external' || file.url_private === undefined)
      return { ok: false, problem: `${name} is stored outside Slack; paste the YAML instead` };
    if ((file.size ?? 0) > MAX_SHARED_FILE_BYTES)
      return { ok: false, problem: `${name} is larger than ${MAX_SHARED_FILE_BYTES / 1024} KiB` };
    try {
      const got = await download(file.url_private, options.token, signal);
      if (!got.ok) return got;
      return { ok: true, id: fileId, name, text: decodeInput(got.bytes, name) };
    } catch (error) {
      if (isAppError(error)) return { ok: false, problem: error.message };
      return { ok: false, problem: `${name} could not be read in time; try again or paste the YAML` };
    }
  };
  return (fileId, channel, signal) => {
    // files.info takes no signal: whichever comes first, the answer or the deadline, is the answer.
    let onAbort: (() => void) | undefined;
    const late = new Promise<SharedFileResult>((resolve) => {
      onAbort = () =>
        resolve({ ok: false, problem: 'the file could not be read in time; try again or paste the YAML' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([read(fileId, channel, signal), late]).finally(() => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    });
  };
}
