import { encodePacked, type Address, type Hex } from "viem";
import { keccak256 } from "../chain/keccak";

/** Decimal strings with at most 6 decimals as integers of millionths. */
const SCALE = 1_000_000n;

export function toMicros(decimal: string): bigint {
  const [whole, frac = ""] = decimal.split(".");
  return BigInt(whole!) * SCALE + BigInt((frac + "000000").slice(0, 6));
}

export function fromMicros(micros: bigint): string {
  const whole = micros / SCALE;
  const frac = (micros % SCALE).toString().padStart(6, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** Points a purchase of `amount` earns under `pointsPerUnit` (both decimal strings), rounded down. */
export function pointsFor(amount: string, pointsPerUnit: string): bigint {
  return (toMicros(amount) * toMicros(pointsPerUnit)) / (SCALE * SCALE);
}

/**
 * Points to take back for returning `returned` of a purchase of `purchased` that earned `earned`:
 * proportional, rounded down, never more than what is left after earlier reversals.
 */
export function pointsToReverse(p: { earned: bigint; alreadyReversed: bigint; purchased: string; returned: string }): bigint {
  const purchased = toMicros(p.purchased);
  const returned = toMicros(p.returned);
  const proportional = returned >= purchased ? p.earned : (p.earned * returned) / purchased;
  const left = p.earned - p.alreadyReversed;
  return proportional < left ? proportional : left;
}

/**
 * The on-chain receipt id of a till receipt: keccak256(salt, brand, receipt) with the brand's secret
 * salt, so the chain never holds the receipt and nobody can test a guessed receipt number against it.
 */
export function receiptIdOf(salt: string, brand: Address, receipt: string): Hex {
  return keccak256(encodePacked(["bytes32", "address", "string"], [salt as Hex, brand, receipt]));
}
