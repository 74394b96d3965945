import { expect } from "chai";
import fc from "fast-check";
import { bytesToHex, keccak256 as viemKeccak256, type Hex, type TransactionSerializable } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { keccak256 } from "../../server/chain/keccak";
import { signTransactionFast } from "../../server/chain/signTransaction";
import { testPrivateKey } from "../support/chain";

const account = privateKeyToAccount(testPrivateKey(3));
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => bytesToHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b));
const wei = fc.bigInt({ min: 0n, max: 10n ** 12n });

describe("signTransactionFast and keccak256 (keccak.ts)", () => {
  it("hashes as viem's keccak256 does, bytes or hex, up to a large batch's calldata", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (data) => {
        expect(keccak256(data)).to.equal(viemKeccak256(data));
        expect(keccak256(bytesToHex(data))).to.equal(viemKeccak256(bytesToHex(data)));
      }),
      { numRuns: 100 },
    );
  });

  it("signs EIP-1559 and legacy transactions exactly as account.signTransaction does, with viem's hash of the result", async () => {
    const tx = fc.oneof(
      fc
        .record({ type: fc.constant("eip1559" as const), chainId: fc.constantFrom(1, 31337, 8453), nonce: fc.nat(), to: address, data: bytes(14_000), gas: wei, value: wei, maxPriorityFeePerGas: wei, headroom: wei })
        .map(({ headroom, ...t }) => ({ ...t, maxFeePerGas: t.maxPriorityFeePerGas + headroom })),
      fc.record({ type: fc.constant("legacy" as const), chainId: fc.constantFrom(1, 31337, 8453), nonce: fc.nat(), to: address, data: bytes(14_000), gas: wei, value: wei, gasPrice: wei }),
    );
    await fc.assert(
      fc.asyncProperty(tx, async (t) => {
        const expected = await account.signTransaction(t as TransactionSerializable);
        const signed = await signTransactionFast(account, t as TransactionSerializable);
        expect(signed).to.deep.equal({ raw: expected, hash: viemKeccak256(expected as Hex) });
      }),
      { numRuns: 60 },
    );
  });
});
