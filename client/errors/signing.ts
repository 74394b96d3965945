import { BaseError } from "./base";

/** The signer is none of: a viem local account, a viem wallet client, an ethers signer. */
export class UnsupportedSignerError extends BaseError {
  override name = "UnsupportedSignerError";
  constructor({ details }: { details: string }) {
    super("expected a viem local account, a viem wallet client or an ethers signer", { details });
  }
}

/** The person declined to sign in their wallet. Nothing was sent. */
export class SignatureRejectedError extends BaseError {
  override name = "SignatureRejectedError";
  constructor({ primaryType, cause }: { primaryType: string; cause: unknown }) {
    super(`the wallet declined to sign the ${primaryType} message`, { cause });
  }
}

/** The signer failed for another reason (locked wallet, wrong account, unsupported method). Nothing was sent. */
export class SigningError extends BaseError {
  override name = "SigningError";
  constructor({ primaryType, cause }: { primaryType: string; cause: unknown }) {
    super(`the ${primaryType} message could not be signed`, { cause });
  }
}
