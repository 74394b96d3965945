import type { Address, Hex } from "viem";
import { categoryBitmap, type CategoryName } from "../categories";
import { resolvePurpose } from "../purposes";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, postSignedAction, type SignedAction } from "../relay/postSignedAction";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";
import type { UnknownCategoryError } from "../errors/names";

export type GrantParameters = {
  /** Who signs: the customer, or one of the customer's live delegates (then give `subject`). */
  signer: CustomerSigner;
  /** The customer; the signer's address when omitted. */
  subject?: Address | undefined;
  /** The brand (controller) that may use the data. */
  controller: Address;
  /** The purpose: its name ("loyalty") or bytes32 id. */
  purpose: string;
  /** The data categories: names (["identity", "location"]) or the uint64 bitmap. */
  categories: readonly (CategoryName | string)[] | bigint;
  /** The notice the customer was shown: the brand's current `noticeHash` for this purpose (from `getBrands`). */
  noticeHash: Hex;
  /** Unix seconds when the consent ends; 0 (default) for no expiry. */
  expiresAt?: number | undefined;
  /** The ledger nonce; the next one, read from the relay, when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds after which the signature is void; one hour after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type GrantReturnType = SignedAction<"Grant">;
export type GrantErrorType = RelayRequestErrorType | SignCustomerMessageErrorType | UnknownCategoryError;

/**
 * Grants consent: signs a Grant (EIP-712, ConsentLedger's domain) and posts it to the relay, which
 * submits `grantBySig` (the customer pays no gas). Follow `operation.operationId` with `waitForOperation`.
 *
 * @example
 * const { operation } = await grant(relay, { signer: account, controller: brand.address, purpose: "loyalty",
 *   categories: ["identity", "purchase-history"], noticeHash: loyalty.notice.hash })
 */
export async function grant(
  client: RelayClientBase,
  { signer, subject, controller, purpose, categories, noticeHash, expiresAt = 0, nonce, deadline, signal }: GrantParameters,
): Promise<GrantReturnType> {
  const s = subject ?? (await getSignerAddress(signer));
  const message = {
    subject: s,
    controller,
    purpose: resolvePurpose(purpose),
    categories: typeof categories === "bigint" ? categories : categoryBitmap(categories),
    expiresAt,
    noticeHash,
    ...(await nonceAndDeadline(client, { lane: "ledger", subject: s, nonce, deadline, signal })),
  };
  return postSignedAction(client, { signer, primaryType: "Grant", message, path: "/v1/consents/grant", signal });
}
