import { useCallback, useState } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { getWalletClient } from "wagmi/actions";
import { createRelayClient, dataRequest, SignatureRejectedError, type DataRequestKind, type DataRequestReturnType } from "../../client";

/** A data request's life: idle, waiting for the wallet, sent, answered, declined in the wallet, or failed. */
export type DataRequestState =
  | { stage: "idle" }
  | { stage: "signing"; kind: DataRequestKind }
  | { stage: "sending"; kind: DataRequestKind }
  | { stage: "done"; answer: DataRequestReturnType }
  | { stage: "refused" }
  | { stage: "failed"; message: string };

/** Signs and sends the customer's DataRequest (access or erase, every brand) with the connected wallet. */
export function useDataRequest(address: Address) {
  const wagmi = useConfig();
  const [state, setState] = useState<DataRequestState>({ stage: "idle" });
  const run = useCallback(
    async (kind: DataRequestKind) => {
      setState({ stage: "signing", kind });
      try {
        const wallet = await getWalletClient(wagmi, { account: address });
        const relay = createRelayClient({ url: window.location.origin });
        // the signature is asked inside dataRequest; the request leaves once it is given
        const answer = await dataRequest(relay, {
          signer: {
            ...wallet,
            signTypedData: async (p: Parameters<typeof wallet.signTypedData>[0]) => {
              const signature = await wallet.signTypedData(p);
              setState({ stage: "sending", kind });
              return signature;
            },
          } as typeof wallet,
          kind,
        });
        setState({ stage: "done", answer });
      } catch (err) {
        if (err instanceof SignatureRejectedError) setState({ stage: "refused" });
        else setState({ stage: "failed", message: (err as Error).message });
      }
    },
    [wagmi, address],
  );
  return { state, run, pending: state.stage === "signing" || state.stage === "sending" };
}
