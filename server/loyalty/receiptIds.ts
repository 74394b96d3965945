import { encodePacked, type Address, type Hex } from "viem";
import { keccak256 } from "../chain/keccak";

/**
 * On-chain receipt ids of the issuances that are not a purchase's base points. Each is derived from what
 * makes it unique, so the chain itself (receipts are accepted once per brand) refuses a second one even
 * if the relay's records were lost.
 */

/** A campaign's extra points on a purchase: one per (purchase receipt, campaign). */
export function campaignReceiptId(purchaseReceiptId: Hex, campaign: string): Hex {
  return keccak256(encodePacked(["string", "bytes32", "string"], ["confiance.campaign", purchaseReceiptId, campaign])).toLowerCase() as Hex;
}

/** The welcome bonus: one per (brand, customer), ever. */
export function welcomeReceiptId(brand: Address, customer: Address): Hex {
  return keccak256(encodePacked(["string", "address", "address"], ["confiance.welcome", brand, customer])).toLowerCase() as Hex;
}

/** A reward for consent: one per (brand, purpose, customer), ever. */
export function consentRewardReceiptId(brand: Address, purpose: Hex, customer: Address): Hex {
  return keccak256(encodePacked(["string", "address", "bytes32", "address"], ["confiance.consent-reward", brand, purpose, customer])).toLowerCase() as Hex;
}
