import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { postPersonalMessage } from "../relay/postPersonalMessage";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { ShoppingListItem } from "../relay/types";
import type { CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type GetShoppingListParameters = {
  /** The customer's wallet: reading the list is proven by a signature (ReadShoppingList). */
  signer: CustomerSigner;
  /** The brand whose shopping list it is. */
  brand: Address;
  /** Unix seconds after which the signature is void; five minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type GetShoppingListReturnType = ShoppingListItem[];
export type GetShoppingListErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * The customer's shopping list at a brand: what the home scanner read under the shopping-list purpose,
 * oldest first. The relay answers only to the customer's signature (ReadShoppingList, relay domain).
 *
 * @example const items = await getShoppingList(relay, { signer: account, brand: grocer.address })
 */
export async function getShoppingList(client: RelayClientBase, { signer, brand, deadline, signal }: GetShoppingListParameters): Promise<GetShoppingListReturnType> {
  const { answer } = await postPersonalMessage<{ items: ShoppingListItem[] }>(client, { signer, brand, primaryType: "ReadShoppingList", deadline, signal, path: "/v1/customers/shopping-list" });
  return answer.items;
}
