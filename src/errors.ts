/**
 * The project's coded error catalogue. Every error a user can see (CLI stderr, Slack message) carries a stable
 * code and a message that says what to do; the README lists every code. Add codes here, never reuse one.
 */

export const ERROR_CATALOGUE = {
  E_USAGE: 'The command line or slash command is not valid. Run with --help (or `/metallb help`) for usage.',
  E_INPUT_UNREADABLE: 'An input file could not be read. Check the path and its permissions.',
  E_INPUT_SYNTAX: 'An input file is not valid YAML or JSON. Fix the file at the line named.',
  E_INPUT_EMPTY:
    'The input holds no Kubernetes objects. Pass the output of `kubectl get -o yaml` (see README).',
  E_PROPOSAL_INVALID:
    'A proposed config object (preview -f) cannot be applied: give every MetalLB object a metadata.name.',
  E_MUTES_INVALID: 'The --ignore file is not a valid list of mutes. See README, "Mutes".',
  E_BACKUP_INVALID:
    'The file is not a metallb-chatops backup (v1). Pass a file written by `backup --out` or downloaded from Slack, unedited.',
  E_CONFIG: 'A setting is missing or malformed. Fix the named environment variables and start again.',
  E_KUBECONFIG: 'No usable kubeconfig or context. Pass --kubeconfig/--context or set KUBECONFIG.',
  E_CLUSTER_UNREACHABLE:
    'The Kubernetes API server could not be reached. Check the address, network and credentials.',
  E_CLUSTER_TIMEOUT: 'The Kubernetes API server did not answer in time. Retry, or raise --request-timeout.',
  E_FORBIDDEN:
    'The identity may not read something the check needs. Grant the RBAC in README, "Permissions".',
  E_API:
    'The Kubernetes API answered with an error. The message carries its status; retry or check the cluster.',
  E_CONFLICT: 'The object changed since it was read. Re-run the step; nothing was overwritten.',
  E_REDIS:
    'Redis could not be reached or answered an error. Check REDIS_URL (or REDIS_SENTINELS) and that Redis is up.',
  E_INTERNAL: 'An unexpected error. Please report it with the command you ran; no change was made.',
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error a user sees: a stable code, a message with the specifics, and the catalogue's advice. */
export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  /** What to do about it, from the catalogue. */
  get advice(): string {
    return ERROR_CATALOGUE[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
