import type { Operation } from "../../../client";
import { ChainActionError } from "../errors";
import type { TxRecord } from "../txlog";
import type { Journey } from "./context";

/** Follows a relay operation until it is confirmed on chain; records and prints its transaction. */
export async function confirmed(j: Journey, operationId: string, label: string, paidBy = "relay"): Promise<{ op: Operation; tx: TxRecord }> {
  const op = await j.relay.waitForOperation({ operationId, timeout: 20_000 });
  if (op.status === "failed") throw new ChainActionError(`${label}: operation ${operationId} failed: ${op.error?.code} ${op.error?.message}`);
  const tx = await j.log.observe(label, op.txHash!, paidBy);
  return { op, tx };
}
