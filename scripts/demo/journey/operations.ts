import type { Hex } from "viem";
import { ChainActionError } from "../errors";
import { getOperation, type OperationView } from "../relayClient";
import type { TxRecord } from "../txlog";
import { waitFor } from "../wait";
import type { Journey } from "./context";

/** Follows a relay operation until it is confirmed on chain; records and prints its transaction. */
export async function confirmed(j: Journey, operationId: string, label: string, paidBy = "relay"): Promise<{ op: OperationView; tx: TxRecord }> {
  const op = await waitFor(
    async () => {
      const o = await getOperation(j.host.url, operationId);
      if (o.status === "failed") throw new ChainActionError(`${label}: operation ${operationId} failed: ${o.error?.code} ${o.error?.message}`);
      return o.status === "confirmed" && o.txHash ? o : undefined;
    },
    `operation ${operationId} (${label}) to be confirmed`,
  );
  const tx = await j.log.observe(label, op.txHash as Hex, paidBy);
  return { op, tx };
}
