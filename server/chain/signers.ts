import fs from "node:fs/promises";
import { Wallet } from "ethers";
import { getAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Env } from "../config";

/**
 * The relay's keys. From SIGNER_KEYS (comma-separated 0x-prefixed hex private keys) or from KEYSTORE_FILE
 * with KEYSTORE_PASSWORD: an encrypted JSON keystore (Web3 Secret Storage v3, as written by geth, ethers
 * `wallet.encrypt` or `cast wallet new`), or a JSON array of such keystores (one password for all).
 * The first key is the default signer: it sends the ledger's by-signature calls and redemptions. A
 * brand's operator key sends that brand's issue and reverse. Keys are never logged: only addresses.
 */
export interface RelaySigners {
  /** Every key, in configuration order; the first is the default. */
  accounts: readonly PrivateKeyAccount[];
  addresses: readonly Address[];
  defaultAccount: PrivateKeyAccount;
  /** The account that must send an operation whose `signer` is `address`; the default when undefined. */
  forSigner(address: Address | string | null | undefined): PrivateKeyAccount | undefined;
}

export class SignerConfigError extends Error {
  override name = "SignerConfigError";
}

export function signersFromKeys(keys: readonly Hex[]): RelaySigners {
  if (keys.length === 0) throw new SignerConfigError("no signer key configured: set SIGNER_KEYS or KEYSTORE_FILE");
  const accounts = keys.map((k) => privateKeyToAccount(k));
  const byAddress = new Map<string, PrivateKeyAccount>();
  for (const a of accounts) {
    if (byAddress.has(a.address.toLowerCase())) throw new SignerConfigError(`signer ${a.address} is configured twice`);
    byAddress.set(a.address.toLowerCase(), a);
  }
  const defaultAccount = accounts[0]!;
  return {
    accounts,
    addresses: accounts.map((a) => a.address),
    defaultAccount,
    forSigner(address) {
      if (address === undefined || address === null) return defaultAccount;
      return byAddress.get(address.toLowerCase());
    },
  };
}

/** Decrypts one keystore JSON object (ethers 6 reads every standard variant: scrypt and pbkdf2). */
async function decryptKeystore(json: unknown, password: string, index: number): Promise<Hex> {
  try {
    const wallet = await Wallet.fromEncryptedJson(JSON.stringify(json), password);
    return wallet.privateKey as Hex;
  } catch (err) {
    throw new SignerConfigError(`keystore entry ${index} cannot be decrypted: ${(err as Error).message}`);
  }
}

/** Loads the relay's keys from the configuration (SIGNER_KEYS wins when both are set). */
export async function loadSigners(config: Pick<Env, "SIGNER_KEYS" | "KEYSTORE_FILE" | "KEYSTORE_PASSWORD">): Promise<RelaySigners> {
  if (config.SIGNER_KEYS && config.SIGNER_KEYS.length > 0) return signersFromKeys(config.SIGNER_KEYS as Hex[]);
  if (!config.KEYSTORE_FILE) throw new SignerConfigError("no signer key configured: set SIGNER_KEYS or KEYSTORE_FILE");
  if (config.KEYSTORE_PASSWORD === undefined) throw new SignerConfigError("KEYSTORE_FILE is set but KEYSTORE_PASSWORD is not");
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(config.KEYSTORE_FILE, "utf8"));
  } catch (err) {
    throw new SignerConfigError(`cannot read keystore ${config.KEYSTORE_FILE}: ${(err as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  const keys: Hex[] = [];
  for (const [i, entry] of entries.entries()) keys.push(await decryptKeystore(entry, config.KEYSTORE_PASSWORD, i));
  return signersFromKeys(keys);
}

/** Normalises an address for comparisons and storage. */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && getAddress(a) === getAddress(b);
}
