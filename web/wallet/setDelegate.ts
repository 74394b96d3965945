import type { Address } from "viem";
import type { Config } from "wagmi";
import { setDelegate } from "../../client/actions/setDelegate";
import type { SignedActionSteps } from "../common/actions/signedAction";
import { clientSteps } from "../common/actions/clientSteps";
import { relay } from "../common/relay";

/**
 * The steps of appointing `delegate` until `until` (0 removes it): the client module's setDelegate
 * (nonce and deadline from the relay, the wallet signs SetDelegate, the relay queues it).
 */
export function setDelegateSteps({ wagmi, subject, delegate, until }: { wagmi: Config; subject: Address; delegate: Address; until: number }): SignedActionSteps<{ accepted: Promise<string> }> {
  return clientSteps(wagmi, subject, (signer) => setDelegate(relay, { signer, delegate, until }).then((r) => r.operation.operationId));
}
