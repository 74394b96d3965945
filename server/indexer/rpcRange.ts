/** Moved to the client module (client/audit/rpcRange.ts): the auditor's page reads logs in the same bounded ranges. */
export * from "../../client/audit/rpcRange";
