import type { RelayDeps, Service } from "../deps";
import { ChainIndexer, type IndexerStatus } from "./indexer";

export { ChainIndexer, IndexerStoppedError, type IndexerOptions, type IndexerStatus, type StepResult } from "./indexer";

/** The relay's indexer: a started background loop with its status. */
export type Indexer = Service & {
  status(): Promise<IndexerStatus>;
  /** Resolves when indexed up to head - confirmations (after a pass started after the call). */
  caughtUp(): Promise<void>;
};

/** Starts following both contracts' logs into deps.db with the INDEXER_* settings of deps.config. */
export function startIndexer(deps: RelayDeps): Indexer {
  const indexer = new ChainIndexer({
    client: deps.chain.client,
    db: deps.db,
    logger: deps.logger.child({ part: "indexer" }),
    registry: deps.registry,
    contracts: { ledger: deps.chain.deployment.ledger, points: deps.chain.deployment.points },
    deployBlock: deps.chain.deployment.deployBlock,
    confirmations: deps.config.INDEXER_CONFIRMATIONS,
    maxRange: deps.config.INDEXER_MAX_RANGE,
    pollMs: deps.config.INDEXER_POLL_MS,
  }).start();
  return {
    stop: () => indexer.stop(),
    status: () => indexer.status(),
    caughtUp: () => indexer.caughtUp(),
  };
}
