import { getAddress, isAddress, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { loadSigners, SignerConfigError } from "../../server/chain/signers";
import { UsageError } from "./errors";

/** A private key written anywhere in the arguments: 64 hex digits, with or without 0x. */
const KEY_LIKE = /^(0x)?[0-9a-fA-F]{64}$/;
const SECRET_FLAGS = /^--(key|private-key|privatekey|secret|mnemonic|password|keystore-password)(=|$)/i;

/**
 * Refuses any secret on the command line before anything else runs: it would stay in the shell's history and
 * be readable by every process on the machine (`ps`). The message never repeats the secret.
 */
export function refuseSecretsInArguments(argv: readonly string[]): void {
  for (const arg of argv) {
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (SECRET_FLAGS.test(arg) || KEY_LIKE.test(arg) || KEY_LIKE.test(value)) {
      throw new UsageError(
        "refused: a secret on the command line (it would stay in the shell's history and be visible to every process). " +
          "Set COALITION_KEY in the environment, or use a keystore file (--keystore FILE or KEYSTORE_FILE) with KEYSTORE_PASSWORD.",
      );
    }
  }
}

export interface KeyOptions {
  /** Keystore file path from --keystore (else KEYSTORE_FILE). */
  keystore?: string;
  /** --from: which key of a keystore holding several, or a check of the key given. */
  from?: string;
}

/**
 * The key that signs: COALITION_KEY (0x-prefixed 32-byte hex) from the environment, or a Web3 Secret Storage v3
 * keystore (one key, or a JSON array of them as the relay's KEYSTORE_FILE) decrypted with KEYSTORE_PASSWORD.
 */
export async function loadAccount(env: NodeJS.ProcessEnv, opts: KeyOptions): Promise<PrivateKeyAccount> {
  const keystore = opts.keystore ?? env.KEYSTORE_FILE;
  const from = opts.from;
  if (from !== undefined && !isAddress(from)) throw new UsageError(`--from must be an address, not ${from}`);
  if (env.COALITION_KEY && keystore) throw new UsageError("both COALITION_KEY and a keystore are given: use one of them");
  let candidates: readonly PrivateKeyAccount[];
  if (env.COALITION_KEY) {
    if (!KEY_LIKE.test(env.COALITION_KEY) || !env.COALITION_KEY.startsWith("0x")) throw new UsageError("COALITION_KEY must be a 0x-prefixed 32-byte hex private key");
    candidates = [privateKeyToAccount(env.COALITION_KEY as Hex)];
  } else if (keystore) {
    try {
      candidates = (await loadSigners({ KEYSTORE_FILE: keystore, KEYSTORE_PASSWORD: env.KEYSTORE_PASSWORD })).accounts;
    } catch (err) {
      if (err instanceof SignerConfigError) throw new UsageError(err.message);
      throw err;
    }
  } else {
    throw new UsageError("this command signs a transaction: set COALITION_KEY, or give a keystore (--keystore FILE or KEYSTORE_FILE) and KEYSTORE_PASSWORD");
  }
  if (from !== undefined) {
    const wanted = getAddress(from);
    const match = candidates.find((a) => a.address === wanted);
    if (!match) throw new UsageError(`the key given is not ${wanted} (it holds ${candidates.map((a) => a.address).join(", ")})`);
    return match;
  }
  if (candidates.length > 1) throw new UsageError(`the keystore holds ${candidates.length} keys (${candidates.map((a) => a.address).join(", ")}): pick one with --from ADDRESS`);
  return candidates[0]!;
}

