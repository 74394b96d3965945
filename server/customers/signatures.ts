import {
  decodeFunctionResult,
  encodeFunctionData,
  hashTypedData,
  hexToNumber,
  recoverAddress,
  slice,
  size,
  type Address,
  type Hex,
  type PublicClient,
  type TypedDataDomain,
} from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { HttpError } from "../http/errors";
import type { CodeCache } from "./codeCache";

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface SignedMessage {
  domain: TypedDataDomain;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** What a signature says without asking the chain: the digest and, for a usable ECDSA signature, its signer. */
export interface LocalSignature {
  digest: Hex;
  /** The ECDSA signer, when the signature is 65 bytes with v 27 or 28 (what the contracts' ecrecover takes). */
  recovered?: Address;
}

/**
 * The checks that need no RPC: the digest, low s, and the ECDSA signer. A 65-byte signature whose v is
 * not 27 or 28 is no ECDSA signature to the contracts (OpenZeppelin's ECDSA hands it to ecrecover, which
 * answers nothing), so it recovers no signer here either. Throws 400 malleable_signature for a high s.
 */
export async function recoverLocally(typed: SignedMessage, signature: Hex): Promise<LocalSignature> {
  const digest = hashTypedData(typed as Parameters<typeof hashTypedData>[0]);
  if (size(signature) !== 65) return { digest };
  const s = BigInt(slice(signature, 32, 64));
  if (s > HALF_N) throw new HttpError(400, "malleable_signature", "the signature's s value is in the upper half of the curve order");
  const v = hexToNumber(slice(signature, 64, 65));
  if (v !== 27 && v !== 28) return { digest };
  try {
    return { digest, recovered: await recoverAddress({ hash: digest, signature }) };
  } catch {
    return { digest };
  }
}

export interface VerifyOptions {
  client: PublicClient;
  /** Who must have signed. */
  subject: Address;
  signature: Hex;
  /** Also accept a live delegate of the subject on ConsentLedger (grant, revoke, revoke-all). */
  delegatesOf?: Address;
  /** Bounds of each ERC-1271 call, and the code lookups' cache (default: 200,000 gas, 2 s, no cache). */
  erc1271?: Erc1271Bounds;
  /** The chain's time, for a delegate's `until` (default: this machine's clock). */
  now?: bigint;
  /** The signature's checks already done by `recoverLocally`. */
  local?: LocalSignature;
}

export interface Erc1271Bounds {
  gas: bigint;
  timeoutMs: number;
  codes?: CodeCache;
}

const DEFAULT_BOUNDS: Erc1271Bounds = { gas: 200_000n, timeoutMs: 2_000 };

/**
 * Checks a customer's EIP-712 signature as the contracts do: a 65-byte ECDSA signature (low s, v 27/28)
 * by the subject, or by a live delegate when allowed; an ERC-1271 signature of a subject contract wallet;
 * or, when delegates are allowed, `delegate (20 bytes) ++ inner signature` of a live delegate contract.
 * The subject's own ECDSA signature needs no RPC; every ERC-1271 call is bounded in gas and time.
 * Returns the actor (the subject or the delegate). Throws HttpError 400/401 with a distinct code.
 */
export async function verifyCustomerSignature(typed: SignedMessage, opts: VerifyOptions): Promise<Address> {
  const { digest, recovered } = opts.local ?? (await recoverLocally(typed, opts.signature));
  const now = opts.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (recovered && recovered.toLowerCase() === opts.subject.toLowerCase()) return opts.subject;
  const isLiveDelegate = async (delegate: Address): Promise<boolean> => {
    if (!opts.delegatesOf) return false;
    const until = await opts.client.readContract({
      address: opts.delegatesOf,
      abi: consentLedgerAbi,
      functionName: "delegateUntil",
      args: [opts.subject, delegate],
    });
    return until !== 0 && BigInt(until) >= now;
  };
  if (recovered && (await isLiveDelegate(recovered))) return recovered;
  if (await isValidErc1271(opts, opts.subject, digest, opts.signature)) return opts.subject;
  if (opts.delegatesOf && size(opts.signature) > 20) {
    const delegate = slice(opts.signature, 0, 20) as Address;
    const inner = slice(opts.signature, 20);
    if ((await isLiveDelegate(delegate)) && (await isValidErc1271(opts, delegate, digest, inner))) return delegate;
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

class Erc1271Timeout extends Error {
  override name = "Erc1271Timeout";
}

/**
 * `isValidSignature` of a contract wallet, run with at most `erc1271.gas` gas and answered within
 * `erc1271.timeoutMs` (else: not valid). An address without code (cached) is no contract wallet.
 */
async function isValidErc1271(opts: VerifyOptions, wallet: Address, digest: Hex, signature: Hex): Promise<boolean> {
  const { gas, timeoutMs, codes } = opts.erc1271 ?? DEFAULT_BOUNDS;
  const hasCode = codes ? await codes.hasCode(wallet) : ((await opts.client.getCode({ address: wallet })) ?? "0x") !== "0x";
  if (!hasCode) return false;
  const data = encodeFunctionData({ abi: erc1271Abi, functionName: "isValidSignature", args: [digest, signature] });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      opts.client.call({ to: wallet, data, gas }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Erc1271Timeout(`isValidSignature took over ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (!answer.data || size(answer.data) !== 32) return false;
    const r = decodeFunctionResult({ abi: erc1271Abi, functionName: "isValidSignature", data: answer.data });
    return r.toLowerCase() === "0x1626ba7e";
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
