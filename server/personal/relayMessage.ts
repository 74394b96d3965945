import type { Address, Hex } from "viem";
import { relayDomain, relayTypes } from "../../client/typedData";
import { chainNow } from "../chain/clock";
import type { RelayDeps } from "../deps";
import { verifyCustomerSignature } from "../customers/signatures";
import { chainCall } from "../http/chainCall";
import { HttpError } from "../http/errors";

/**
 * Checks a customer's relay-domain message (deadline against the chain's time, then the signature of
 * `subject` or its ERC-1271 wallet); resolves to the chain's time it checked against. Throws HttpError 400 `deadline_expired` or 401 `invalid_customer_signature`.
 */
export async function verifyRelayMessage(
  deps: Pick<RelayDeps, "chain">,
  p: { primaryType: keyof typeof relayTypes; subject: Address; message: Record<string, unknown>; signature: Hex; deadline: bigint },
): Promise<bigint> {
  const now = await chainCall("the chain's time", () => chainNow(deps.chain.client));
  if (p.deadline < now) throw new HttpError(400, "deadline_expired", `the signature's deadline ${p.deadline} has passed`);
  await chainCall("the signature's validity", () =>
    verifyCustomerSignature(
      { domain: relayDomain(deps.chain.chainId, deps.chain.deployment), types: relayTypes, primaryType: p.primaryType, message: p.message },
      { client: deps.chain.client, subject: p.subject, signature: p.signature },
    ),
  );
  return now;
}
