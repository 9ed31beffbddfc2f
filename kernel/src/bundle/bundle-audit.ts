/**
 * Audit-log entries for bundles (`bundle-create`, `bundle-open`): who, when, the recipients'
 * public keys, the manifest hash and the outcome. Identities and passphrases are never passed in.
 */
import { userInfo } from "node:os";
import { appendAuditEntry, type AuditOutcome } from "../service/audit-log.js";

/** One bundle action to record. */
export interface BundleAuditRecord {
  action: "bundle-create" | "bundle-open";
  /** Who (default: the OS user name). */
  user?: string;
  startedAt: Date;
  outcome: AuditOutcome;
  bundle: string;
  /** The export folder (create) or the output folder (open); absent for inspect. */
  folder?: string;
  /** `inspect` when the bundle was only read. */
  mode?: "create" | "unbundle" | "inspect";
  /** Public recipients (`age1…`); for opens, the recipients recorded in the manifest. */
  recipients?: readonly string[];
  passphrase?: boolean;
  manifestSha256?: string;
  files?: number;
  bytes?: number;
  error?: string;
  /** The BundleError reason, when opening failed. */
  reason?: string;
}

/** The OS user name, or "unknown" where it cannot be read. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * Appends the record to `<store>/audit.jsonl`.
 * @example await auditBundle(storeRoot, { action: "bundle-create", startedAt, outcome: "success", bundle: "b.tar.age" });
 */
export async function auditBundle(storeRoot: string, record: BundleAuditRecord): Promise<void> {
  const details: Record<string, unknown> = { bundle: record.bundle };
  for (const key of ["folder", "mode", "recipients", "passphrase", "manifestSha256", "files", "bytes", "reason"] as const) {
    if (record[key] !== undefined) details[key] = record[key];
  }
  await appendAuditEntry(storeRoot, {
    action: record.action,
    user: record.user ?? currentUser(),
    outcome: record.outcome,
    startedAt: record.startedAt.toISOString(),
    durationMs: Date.now() - record.startedAt.getTime(),
    ...(record.error === undefined ? {} : { error: record.error }),
    details,
  });
}
