import type { RelayDeps, Service } from "../deps";
import { ChainIndexer, type IndexerStatus } from "./indexer";

export { ChainIndexer, IndexerStoppedError, type IndexerOptions, type IndexerStatus, type StepResult } from "./indexer";

/** The relay's indexer: a started background loop with its status. */
export type Indexer = Service & {
  status(): Promise<IndexerStatus>;
  /** Resolves when indexed up to head - confirmations (after a pass started after the call). */
  caughtUp(): Promise<void>;
};

/**
 * Blocks the indexer keeps below the head. INDEXER_CONFIRMATIONS counts as the submitter's CONFIRMATIONS
 * does (a transaction in the head block has 1 confirmation), and never exceeds it: an operation the relay
 * reports confirmed is indexed by then, so the gate never contradicts it, also on a chain that mines a
 * block only per transaction (`npm run node`), where nothing else would come to push the head further.
 */
export function blocksBelowHead(config: Pick<RelayDeps["config"], "INDEXER_CONFIRMATIONS" | "CONFIRMATIONS">): number {
  return Math.max(0, Math.min(config.INDEXER_CONFIRMATIONS, Math.max(1, config.CONFIRMATIONS)) - 1);
}

/** Starts following both contracts' logs into deps.db with the INDEXER_* settings of deps.config. */
export function startIndexer(deps: RelayDeps): Indexer {
  const indexer = new ChainIndexer({
    client: deps.chain.client,
    db: deps.db,
    logger: deps.logger.child({ part: "indexer" }),
    registry: deps.registry,
    contracts: { ledger: deps.chain.deployment.ledger, points: deps.chain.deployment.points },
    deployBlock: deps.chain.deployment.deployBlock,
    confirmations: blocksBelowHead(deps.config),
    maxRange: deps.config.INDEXER_MAX_RANGE,
    pollMs: deps.config.INDEXER_POLL_MS,
  }).start();
  return {
    stop: () => indexer.stop(),
    status: () => indexer.status(),
    caughtUp: () => indexer.caughtUp(),
  };
}
