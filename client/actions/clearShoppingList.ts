import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { postPersonalMessage } from "../relay/postPersonalMessage";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type ClearShoppingListParameters = {
  /** The customer's wallet. */
  signer: CustomerSigner;
  /** The brand whose shopping list is emptied. */
  brand: Address;
  /** Unix seconds after which the signature is void; five minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
/** How many items were removed. */
export type ClearShoppingListReturnType = { cleared: number };
export type ClearShoppingListErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Empties the customer's shopping list at a brand (signed ClearShoppingList, relay domain).
 *
 * @example const { cleared } = await clearShoppingList(relay, { signer: account, brand: grocer.address })
 */
export async function clearShoppingList(client: RelayClientBase, { signer, brand, deadline, signal }: ClearShoppingListParameters): Promise<ClearShoppingListReturnType> {
  const { answer } = await postPersonalMessage<{ cleared: number }>(client, { signer, brand, primaryType: "ClearShoppingList", deadline, signal, path: "/v1/customers/shopping-list/clear" });
  return { cleared: answer.cleared };
}
