import type { Hex } from "viem";
import { SignatureRejectedError, SigningError, type UnsupportedSignerError } from "../errors/signing";
import { customerTypedData, type ConfianceContracts, type CustomerMessage, type CustomerPrimaryType } from "./customerTypedData";
import { signerKind, type CustomerSigner } from "./signer";

export type SignCustomerMessageParameters<P extends CustomerPrimaryType> = {
  /** A viem local account, a viem wallet client or an ethers signer. */
  signer: CustomerSigner;
  /** Chain id and contract addresses (from `getConfig`, or a deployment). */
  contracts: ConfianceContracts;
  /** "Grant", "Revoke", "RevokeAll", "SetDelegate", "Redeem", "LinkCard", "UnlinkCard" or "EraseData". */
  primaryType: P;
  /** The message's fields. */
  message: CustomerMessage<P>;
};

export type SignCustomerMessageReturnType = Hex;

export type SignCustomerMessageErrorType = UnsupportedSignerError | SignatureRejectedError | SigningError;

/**
 * Signs a customer message (EIP-712) with any supported signer. The signature is what the contract's
 * `...BySig` function (or the relay, for its own messages) verifies.
 *
 * @example
 * const signature = await signCustomerMessage({ signer: account, contracts: config, primaryType: "Redeem",
 *   message: { customer, brand, points: 500n, orderRef, nonce, deadline } })
 */
export async function signCustomerMessage<P extends CustomerPrimaryType>({
  signer,
  contracts,
  primaryType,
  message,
}: SignCustomerMessageParameters<P>): Promise<SignCustomerMessageReturnType> {
  const typed = customerTypedData({ contracts, primaryType, message });
  const k = signerKind(signer);
  try {
    if (k.kind === "account") return await k.account.signTypedData(typed as never);
    if (k.kind === "walletClient") {
      const account = k.client.account ?? (await k.client.getAddresses())[0];
      if (!account) throw new SigningError({ primaryType, cause: new Error("the wallet exposes no address (not connected?)") });
      return await k.client.signTypedData({ ...(typed as never as object), account } as never);
    }
    // ethers wants exactly the types the primary type uses, as mutable arrays.
    const fields = (typed.types as Record<string, readonly { name: string; type: string }[]>)[primaryType]!;
    return (await k.signer.signTypedData(typed.domain as never, { [primaryType]: fields.map((f) => ({ ...f })) }, message as Record<string, unknown>)) as Hex;
  } catch (err) {
    if (err instanceof SigningError) throw err;
    if (isRejection(err)) throw new SignatureRejectedError({ primaryType, cause: err });
    throw new SigningError({ primaryType, cause: err });
  }
}

/** EIP-1193 4001 "user rejected" anywhere in the chain of causes (viem), or ethers' ACTION_REJECTED. */
function isRejection(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    if (e.code === 4001 || e.code === "ACTION_REJECTED" || e.name === "UserRejectedRequestError") return true;
    e = (e.cause ?? e.error ?? (e.info as Record<string, unknown> | undefined)?.error) as Record<string, unknown> | undefined;
  }
  return false;
}
