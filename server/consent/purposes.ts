import type { Hex } from "viem";
import { PURPOSES } from "../../client/purposes";

export type DeviceEventKind = "presence" | "purchase" | "return" | "scan";

/**
 * The purpose each device event needs the customer to have granted to the brand. A `return` needs none:
 * it only reverses points that a purchase earned under the loyalty consent in force then, for the
 * customer that purchase recorded, and processes nothing new about them. Gating it would let a customer
 * revoke loyalty and keep the points of goods they brought back.
 */
export const PURPOSE_OF_EVENT: Record<DeviceEventKind, { name: string; id: Hex } | null> = {
  presence: { name: "in-store-recognition", id: PURPOSES.inStoreRecognition },
  purchase: { name: "loyalty", id: PURPOSES.loyalty },
  return: null,
  scan: { name: "shopping-list", id: PURPOSES.shoppingList },
};
