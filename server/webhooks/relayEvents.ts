import type { Queryable } from "../store/db";
import { purposeNamer } from "../brands/purposes";
import { purposeFields, queueEvents, subscribersOf } from "./events";

/**
 * The relay's own events. A revocation (or revoke-all) the relay accepts takes effect at once (the consent
 * gate counts it from that moment), so its `consent.revoked` is queued in the same transaction that queues
 * the operation, ahead of anything queued later about that customer, marked `source: "relay"` with the
 * operation id. When the indexer later stores the revocation from the chain it matches it with this event
 * and queues nothing more (chainEvents.ts).
 */
export interface AcceptedOperation {
  kind: string;
  subject?: string;
  controller?: string;
  purpose?: string;
}

/** The hook of the queueing transaction of a customer's signed action: queues what the relay announces at acceptance. */
export async function queueAcceptedOperation(tx: Queryable, operationId: string, op: AcceptedOperation): Promise<void> {
  if ((op.kind !== "revoke" && op.kind !== "revokeAll") || !op.subject || !op.controller) return;
  const brand = op.controller.toLowerCase();
  const subject = op.subject.toLowerCase();
  const purpose = op.kind === "revoke" && op.purpose ? op.purpose.toLowerCase() : null;
  const subscribers = await subscribersOf(tx, [brand]);
  if (!subscribers.get(brand)?.some((s) => s.types.includes("consent.revoked"))) return;
  const nameOf = await purposeNamer(tx, [brand]);
  await queueEvents(tx, [
    {
      brand,
      type: "consent.revoked",
      subject,
      sourceKey: `relay-revocation:${operationId}`,
      operationId,
      purpose: purpose ?? undefined,
      data: {
        brand,
        subject,
        ...purposeFields(purpose, nameOf(brand, purpose)),
        scope: purpose ? "purpose" : "all",
        occurredAt: new Date().toISOString(),
        source: "relay",
        operationId,
      },
    },
  ], subscribers);
}
