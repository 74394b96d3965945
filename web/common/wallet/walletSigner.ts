import type { Address, TypedDataDomain } from "viem";
import type { Config } from "wagmi";
import { signTypedData } from "wagmi/actions";
import type { EthersSigner } from "../../../client/signing/signer";

/**
 * The connected wallet as a signer the client module's actions take (the `getAddress` and
 * `signTypedData(domain, types, value)` shape): the wallet is asked through wagmi, so no viem wallet
 * client (and none of its actions) ships with the app. `onSigned` is called once the wallet has signed.
 */
export function walletSigner(wagmi: Config, account: Address, onSigned?: () => void): EthersSigner {
  return {
    getAddress: async () => account,
    async signTypedData(domain, types, value) {
      const primaryType = Object.keys(types)[0]!;
      const signature = await signTypedData(wagmi, { account, domain: domain as TypedDataDomain, types, primaryType, message: value });
      onSigned?.();
      return signature;
    },
  };
}
