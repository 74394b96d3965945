import type { Hex } from "viem";
import { resolvePurpose } from "../../client/purposes";
import { AuditInputError } from "../../client/audit/auditor";

/** Moved to the client module (client/audit/auditor.ts): the CLI, the relay and the auditor's page run one implementation. */
export * from "../../client/audit/auditor";

/** A purpose given as a 0x bytes32 id, or as its name (hashed with keccak256, the ledger's convention). */
export function purposeId(nameOrId: string): Hex {
  if (!nameOrId) throw new AuditInputError("empty purpose");
  return resolvePurpose(nameOrId);
}
