import { hashTypedData, recoverAddress, slice, size, type Address, type Hex, type PublicClient, type TypedDataDomain } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { HttpError } from "../http/errors";

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface SignedMessage {
  domain: TypedDataDomain;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

export interface VerifyOptions {
  client: PublicClient;
  /** Who must have signed. */
  subject: Address;
  signature: Hex;
  /** Also accept a live delegate of the subject on ConsentLedger (grant, revoke, revoke-all). */
  delegatesOf?: Address;
}

/**
 * Checks a customer's EIP-712 signature as the contracts do: a 65-byte ECDSA signature (low s) by the
 * subject, or by a live delegate when allowed; an ERC-1271 signature of a subject contract wallet; or,
 * when delegates are allowed, `delegate (20 bytes) ++ inner signature` of a live delegate contract.
 * Returns the actor (the subject or the delegate). Throws HttpError 400/401 with a distinct code.
 */
export async function verifyCustomerSignature(typed: SignedMessage, opts: VerifyOptions): Promise<Address> {
  const digest = hashTypedData(typed as Parameters<typeof hashTypedData>[0]);
  const now = Math.floor(Date.now() / 1000);
  const isLiveDelegate = async (delegate: Address): Promise<boolean> => {
    if (!opts.delegatesOf) return false;
    const until = await opts.client.readContract({
      address: opts.delegatesOf,
      abi: consentLedgerAbi,
      functionName: "delegateUntil",
      args: [opts.subject, delegate],
    });
    return Number(until) >= now;
  };
  if (size(opts.signature) === 65) {
    const s = BigInt(slice(opts.signature, 32, 64));
    if (s > HALF_N) throw new HttpError(400, "malleable_signature", "the signature's s value is in the upper half of the curve order");
    let recovered: Address | undefined;
    try {
      recovered = await recoverAddress({ hash: digest, signature: opts.signature });
    } catch {
      recovered = undefined;
    }
    if (recovered) {
      if (recovered.toLowerCase() === opts.subject.toLowerCase()) return opts.subject;
      if (await isLiveDelegate(recovered)) return recovered;
    }
  }
  if (await isValidErc1271(opts.client, opts.subject, digest, opts.signature)) return opts.subject;
  if (opts.delegatesOf && size(opts.signature) > 20) {
    const delegate = slice(opts.signature, 0, 20) as Address;
    const inner = slice(opts.signature, 20);
    if ((await isLiveDelegate(delegate)) && (await isValidErc1271(opts.client, delegate, digest, inner))) return delegate;
  }
  throw new HttpError(401, "invalid_customer_signature", "the signature is not the subject's (nor a live delegate's) over this message");
}

const erc1271Abi = [
  {
    type: "function",
    name: "isValidSignature",
    stateMutability: "view",
    inputs: [
      { name: "hash", type: "bytes32" },
      { name: "signature", type: "bytes" },
    ],
    outputs: [{ name: "", type: "bytes4" }],
  },
] as const;

async function isValidErc1271(client: PublicClient, wallet: Address, digest: Hex, signature: Hex): Promise<boolean> {
  const code = await client.getCode({ address: wallet });
  if (!code || code === "0x") return false;
  try {
    const r = await client.readContract({ address: wallet, abi: erc1271Abi, functionName: "isValidSignature", args: [digest, signature] });
    return r.toLowerCase() === "0x1626ba7e";
  } catch {
    return false;
  }
}
