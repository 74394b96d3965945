import type { BrandPurpose, Consent, CustomerConsents } from "../common/relay";

/** Where one purpose of one brand stands for the customer, as the screen says it. */
export type PurposeState =
  | { kind: "none" }
  /** An action for it is accepted by the relay and not yet on chain. */
  | { kind: "pending"; action: "grant" | "revoke" | "revokeAll" }
  | { kind: "granted"; since: number; expiresAt: number; consent: Consent }
  | { kind: "revoked"; on: number }
  | { kind: "expired"; on: number };

/**
 * The state of `purpose` of `brand` for the customer: pending while an action the relay accepted is on
 * its way (a revocation counts at once), else granted (with its expiry), revoked on, expired on, or none.
 */
export function purposeState(consents: CustomerConsents, brand: string, purpose: string, now = Math.floor(Date.now() / 1000)): PurposeState {
  const b = brand.toLowerCase();
  const p = purpose.toLowerCase();
  const pending = consents.pending.find(
    (o) => o.controller?.toLowerCase() === b && (o.kind === "revokeAll" || o.purpose?.toLowerCase() === p) && (o.status === "queued" || o.status === "submitted"),
  );
  if (pending && (pending.kind === "grant" || pending.kind === "revoke" || pending.kind === "revokeAll")) return { kind: "pending", action: pending.kind };
  const c = consents.consents.find((x) => x.controller.toLowerCase() === b && x.purpose.toLowerCase() === p);
  if (!c || c.grantedAt === 0) return { kind: "none" };
  if (c.revokedAt !== 0) return { kind: "revoked", on: c.revokedAt };
  if (c.pendingRevocation) return { kind: "pending", action: "revoke" };
  if (c.expiresAt !== 0 && c.expiresAt <= now) return { kind: "expired", on: c.expiresAt };
  return { kind: "granted", since: c.grantedAt, expiresAt: c.expiresAt, consent: c };
}

/** Whether a granted consent was given on an older notice than the brand's current one (the app offers to renew). */
export function needsRenewal(state: PurposeState, purpose: Pick<BrandPurpose, "notice">): boolean {
  return state.kind === "granted" && purpose.notice !== null && state.consent.noticeHash.toLowerCase() !== purpose.notice.hash.toLowerCase();
}

/** The expiry choices a customer is offered when granting, in days (0: until revoked). */
export const EXPIRY_CHOICES = [0, 90, 365] as const;

/** Unix time `days` from `now` (0 days: no expiry, 0). */
export function expiryOf(days: number, now = Date.now()): number {
  return days === 0 ? 0 : Math.floor(now / 1000) + days * 86_400;
}
