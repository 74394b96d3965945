/** Moved to the client module (client/audit), so the CLI, the relay and the auditor's page run one implementation. */
export * from "../../client/audit/historyChain";
