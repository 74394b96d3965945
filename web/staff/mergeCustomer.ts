import type { RecognisedCustomer } from "../../client/relay/types";

/** The store's cards after `seen` walked in: theirs moves to the top with the new facts, at most 50 cards. */
export function mergeCustomer(list: readonly RecognisedCustomer[], seen: RecognisedCustomer): RecognisedCustomer[] {
  return [seen, ...list.filter((c) => c.customer.toLowerCase() !== seen.customer.toLowerCase())].slice(0, 50);
}
