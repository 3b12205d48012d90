import { requestApproval, type ApprovalRecord } from '../../../src/approvals/state-machine';

export const HASH = 'a'.repeat(64);
export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
export const TTL = 30 * 60_000;

export function aRequest(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    ...requestApproval(
      {
        id: 'f-0123456789abcdef',
        fix: 'reapply-config',
        cluster: 'prod',
        channel: 'C0OPS',
        threadTs: '1736931600.000100',
        requestedBy: 'U0ALICE',
        planHash: HASH,
        approvalRequired: true,
      },
      T0,
      TTL,
    ),
    ...overrides,
  };
}
