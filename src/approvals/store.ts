/**
 * Where approval records live. Every change is a compare-and-set on the record's version, so of two writers
 * that read the same version only one succeeds; the other re-reads and finds the record already moved on.
 */
import type { ApprovalRecord } from './state-machine';

export interface ApprovalStore {
  /** Stores a new record; false when the id is taken. */
  create(record: ApprovalRecord): Promise<boolean>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  /** Replaces the record only if its stored version is still `expectedVersion`. */
  compareAndSet(expectedVersion: number, next: ApprovalRecord): Promise<boolean>;
  /** Ids still `requested` whose expiry is at or before `at`, oldest first. */
  dueForExpiry(at: number, limit: number): Promise<string[]>;
  /** Records not yet final (requested, approved, running), oldest first. */
  open(limit: number): Promise<ApprovalRecord[]>;
  /** The latest records of any state, newest first (for `/metallb jobs`). */
  recent(limit: number): Promise<ApprovalRecord[]>;
}
