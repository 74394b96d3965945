import type { Account, Address, Chain, LocalAccount, Transport, WalletClient } from "viem";
import { UnsupportedSignerError } from "../errors/signing";

/**
 * An ethers v6 signer, taken by its shape (`getAddress()` and `signTypedData(domain, types, value)`), so
 * nothing of ethers is imported here: `Wallet`, `JsonRpcSigner`, `BrowserProvider.getSigner()` all fit.
 */
export type EthersSigner = {
  getAddress(): Promise<string>;
  signTypedData(
    domain: { name?: string | null; version?: string | null; chainId?: number | bigint | null; verifyingContract?: string | null },
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
};

/** A viem wallet client: with a local account, or over an EIP-1193 provider (an injected wallet, WalletConnect). */
export type WalletClientSigner = WalletClient<Transport, Chain | undefined, Account | undefined>;

/** Whatever signs a customer's messages: a viem local account, a viem wallet client, or an ethers signer. */
export type CustomerSigner = LocalAccount | WalletClientSigner | EthersSigner;

export type SignerKind =
  | { kind: "account"; account: LocalAccount }
  | { kind: "walletClient"; client: WalletClientSigner }
  | { kind: "ethers"; signer: EthersSigner };

/** Tells the three kinds of signer apart (throws UnsupportedSignerError for anything else). */
export function signerKind(signer: CustomerSigner): SignerKind {
  const s = signer as unknown as Record<string, unknown>;
  if (s && s.type === "local" && typeof s.signTypedData === "function") return { kind: "account", account: signer as LocalAccount };
  if (s && typeof s.request === "function" && typeof s.signTypedData === "function" && "transport" in s) {
    return { kind: "walletClient", client: signer as WalletClientSigner };
  }
  if (s && typeof s.getAddress === "function" && typeof s.signTypedData === "function") return { kind: "ethers", signer: signer as EthersSigner };
  const type = s && typeof s.type === "string" ? ` of type "${s.type}"` : "";
  throw new UnsupportedSignerError({ details: `got ${s === null ? "null" : typeof s}${type}${s?.type === "json-rpc" ? ": wrap a json-rpc account in a wallet client" : ""}` });
}

export type GetSignerAddressErrorType = UnsupportedSignerError;

/**
 * The address that signs: the account's, the wallet client's account (or its first address), the
 * ethers signer's.
 *
 * @example const subject = await getSignerAddress(walletClient)
 */
export async function getSignerAddress(signer: CustomerSigner): Promise<Address> {
  const k = signerKind(signer);
  if (k.kind === "account") return k.account.address;
  if (k.kind === "walletClient") {
    if (k.client.account) return k.client.account.address;
    const [first] = await k.client.getAddresses();
    if (!first) throw new UnsupportedSignerError({ details: "the wallet client has no account and its wallet exposes no address (not connected?)" });
    return first;
  }
  return (await k.signer.getAddress()) as Address;
}

