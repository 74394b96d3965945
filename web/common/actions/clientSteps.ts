import type { Address } from "viem";
import type { Config } from "wagmi";
import type { EthersSigner } from "../../../client/signing/signer";
import { walletSigner } from "../wallet/walletSigner";
import type { SignedActionSteps } from "./signedAction";

/**
 * The two steps of a signed action from one client-module action that signs and posts (`grant`,
 * `revoke`, `redeem`, ...): `sign` ends when the wallet has signed, `submit` when the relay has
 * accepted, resolving to the operation id.
 *
 * @example action.run(clientSteps(wagmi, address, (signer) => revoke(relay, { signer, controller, purpose }).then((r) => r.operation.operationId)))
 */
export function clientSteps(wagmi: Config, account: Address, perform: (signer: EthersSigner) => Promise<string>): SignedActionSteps<{ accepted: Promise<string> }> {
  return {
    sign: () =>
      new Promise((resolve, reject) => {
        const accepted = perform(walletSigner(wagmi, account, () => resolve({ accepted })));
        // Before the signature (reading the nonce, the wallet refusing): the sign step fails.
        accepted.catch(reject);
      }),
    submit: ({ accepted }) => accepted,
  };
}
