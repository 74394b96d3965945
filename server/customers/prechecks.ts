import type { Address, Hex, PublicClient } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { decodeArgs } from "../chain/args";
import type { Deployment } from "../chain/deployment";
import { chainCall } from "../http/chainCall";
import { HttpError } from "../http/errors";
import type { Queryable } from "../store/db";

/**
 * Refusals, before anything is queued, of signed actions that would change nothing on chain (so the
 * relay never pays gas for them, and they never reach a brand's audited history): the chain's state,
 * then the subject's actions already accepted and not yet settled (queued or submitted), in order.
 */
interface PendingRow {
  [key: string]: unknown;
  kind: string;
  controller: string | null;
  purpose: string | null;
  args: unknown;
}

/** The operations a customer's own actions make: operations_customer_actions indexes them by subject. */
type CustomerActionKind = "grant" | "revoke" | "revokeAll" | "setDelegate" | "redeem";

async function pendingOf(db: Queryable, subject: Address, kinds: readonly CustomerActionKind[]): Promise<PendingRow[]> {
  const r = await db.query<PendingRow>(
    `SELECT kind, controller, purpose, args FROM operations
      WHERE subject = $1 AND status IN ('queued', 'submitted') AND kind = ANY($2::text[])
        -- Implied by $2's kinds, written out for the planner: the partial index's own condition.
        AND kind IN ('grant', 'revoke', 'revokeAll', 'setDelegate', 'redeem') ORDER BY seq`,
    [subject.toLowerCase(), kinds],
  );
  return r.rows;
}

export interface PrecheckContext {
  db: Queryable;
  client: PublicClient;
  deployment: Deployment;
}

/** 422 consent_not_active: the consent is not active on chain and no accepted grant will make it so. */
export async function refuseIdleRevoke(c: PrecheckContext, subject: Address, controller: Address, purpose: Hex): Promise<void> {
  let active = await chainCall("the consent", () =>
    c.client.readContract({ address: c.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [subject, controller, purpose] }),
  );
  for (const op of await pendingOf(c.db, subject, ["grant", "revoke", "revokeAll"])) {
    if (op.controller !== controller.toLowerCase()) continue;
    if (op.kind === "revokeAll") active = false;
    else if (op.purpose === purpose.toLowerCase()) active = op.kind === "grant";
  }
  if (!active) throw new HttpError(422, "consent_not_active", "there is no active consent to revoke (on chain or among the actions the relay accepted)");
}

/**
 * 422 nothing_to_revoke: the subject granted nothing to the controller since its last revoke-all (the
 * contract's NothingToRevoke, asked by simulating the direct `revokeAll` from the subject's address).
 */
export async function refuseIdleRevokeAll(c: PrecheckContext, subject: Address, controller: Address): Promise<void> {
  let something = await chainCall("the consents to revoke", async () => {
    try {
      await c.client.simulateContract({ account: subject, address: c.deployment.ledger, abi: consentLedgerAbi, functionName: "revokeAll", args: [controller], gas: 500_000n });
      return true;
    } catch (err) {
      if (/NothingToRevoke/.test(String((err as Error).message))) return false;
      throw err;
    }
  });
  for (const op of await pendingOf(c.db, subject, ["grant", "revokeAll"])) {
    if (op.controller !== controller.toLowerCase()) continue;
    something = op.kind === "grant";
  }
  if (!something) throw new HttpError(422, "nothing_to_revoke", "the subject granted nothing to this controller since its last revoke-all");
}

/** 422 delegate_not_set: removing (until 0) a delegate that is not live and that no accepted action names. */
export async function refuseIdleDelegateRemoval(c: PrecheckContext, subject: Address, delegate: Address, now: bigint): Promise<void> {
  const until = await chainCall("the delegate", () =>
    c.client.readContract({ address: c.deployment.ledger, abi: consentLedgerAbi, functionName: "delegateUntil", args: [subject, delegate] }),
  );
  let set = until !== 0 && BigInt(until) >= now;
  for (const op of await pendingOf(c.db, subject, ["setDelegate"])) {
    const args = decodeArgs(op.args);
    if (String(args[1]).toLowerCase() !== delegate.toLowerCase()) continue;
    set = Number(args[2]) !== 0;
  }
  if (!set) throw new HttpError(422, "delegate_not_set", "this delegate is not set: there is nothing to remove");
}

/**
 * 422 insufficient_points: the balance on chain, less the customer's redemptions accepted and not yet
 * settled (each would be paid from it first), is below `points`. Run under the subject's lock so two
 * redemptions sent together cannot both count the same balance.
 */
export async function refuseUncoveredRedeem(c: PrecheckContext, customer: Address, points: bigint): Promise<void> {
  const balance = await chainCall("the points balance", () =>
    c.client.readContract({ address: c.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] }),
  );
  let pending = 0n;
  for (const op of await pendingOf(c.db, customer, ["redeem"])) pending += BigInt(decodeArgs(op.args)[2] as bigint);
  const free = balance > pending ? balance - pending : 0n;
  if (free < points) {
    throw new HttpError(422, "insufficient_points", `the customer holds ${balance} points, ${pending} of them promised to redemptions not yet settled`);
  }
}
