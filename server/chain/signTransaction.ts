import { parseSignature, serializeTransaction, type Hex, type TransactionSerializable } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { keccak256 } from "./keccak";

/**
 * A transaction signed by a local account, and its hash: what `account.signTransaction` and viem's
 * `keccak256(raw)` give, byte for byte, with both hashes of the (large: a batch's calldata) serialized
 * transaction taken by keccak.ts instead of viem's JavaScript keccak.
 */
export async function signTransactionFast(account: PrivateKeyAccount, tx: TransactionSerializable): Promise<{ raw: Hex; hash: Hex }> {
  const signature = parseSignature(await account.sign({ hash: keccak256(serializeTransaction(tx)) }));
  const raw = serializeTransaction(tx, signature);
  return { raw, hash: keccak256(raw) };
}
