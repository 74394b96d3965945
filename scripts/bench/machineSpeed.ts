import crypto from "node:crypto";
import { keccak256, stringToBytes } from "viem";

/**
 * A reference for this machine's single-thread speed, so that figures from machines of different speed can
 * be set side by side: the cost of three operations the relay does for every request (a native Ed25519
 * verification, a JavaScript keccak-256, a JSON round trip of a device event), each repeated for about
 * a third of a second on one thread. Measured at the start of the run, before anything else is started.
 */
export interface MachineSpeed {
  ed25519VerifyUs: number;
  keccakUs: number;
  jsonRoundTripUs: number;
}

/** Microseconds per call of `f`, over about `ms` milliseconds (after a short warm-up). */
function perCall(f: (i: number) => unknown, ms = 333): number {
  for (let i = 0; i < 200; i++) f(i);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let k = 0; k < 100; k++) f(n++);
    t = performance.now();
  }
  return ((t - t0) * 1000) / n;
}

export function measureMachineSpeed(): MachineSpeed {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const message = Buffer.from("POST\n/v1/stores/store-1/events\n1764241200\nnonce-0123456789abcdef\nbeacon-1\n".repeat(3));
  const signature = crypto.sign(null, message, privateKey);
  const event = {
    eventId: "buy-5f1c8a52-3a7e-4f7e-9d1b-2c4f0e9a8b7d",
    kind: "purchase",
    customer: { wallet: "0x8ba1f109551bd432803012645ac136ddd64dba72" },
    receipt: "R-0001",
    amount: "12.50",
    items: [{ sku: "coffee", quantity: 2 }],
  };
  const text = JSON.stringify(event);
  return {
    ed25519VerifyUs: perCall(() => crypto.verify(null, message, publicKey, signature)),
    keccakUs: perCall((i) => keccak256(stringToBytes(`receipt-${i}`))),
    jsonRoundTripUs: perCall(() => JSON.stringify(JSON.parse(text))),
  };
}
