import { newBackupId } from '../../../src/backups/backup-store';
import { BACKUP_ID, isBackupId } from '../../../src/fixes/backup-format';

describe('backup ids', () => {
  it('are b-YYYYMMDD-HHMMSS-xxxx in UTC, distinct for the same second', () => {
    const at = new Date(Date.UTC(2025, 0, 5, 7, 3, 9));
    const ids = new Set(Array.from({ length: 50 }, () => newBackupId(at)));
    for (const id of ids) expect(id).toMatch(/^b-20250105-070309-[0-9a-f]{4}$/);
    expect(ids.size).toBeGreaterThan(45);
  });

  it.each([
    ['b-20250105-070309-a1f9', true],
    ['b-20250105-070309-a1z9', false],
    ['b-20250105-070309-A1Z9', false],
    ['b-20250105-070309-a1z', false],
    ['b-2025010-070309-a1z9', false],
    ['b-20250105-070309-a1z9:pins', false],
    ['b-20250105-070309-*', false],
    ['f-0123456789abcdef', false],
  ])('%s is a backup id: %s', (id, ok) => {
    expect(isBackupId(id)).toBe(ok);
    expect(BACKUP_ID.test(id)).toBe(ok);
  });
});
