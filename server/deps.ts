import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Env } from "./config";
import type { Db } from "./store/db";
import type { ChainContext } from "./chain/context";

/** What every long-running part of the relay (HTTP, submitter, indexer) is built from. */
export interface RelayDeps {
  config: Env;
  db: Db;
  chain: ChainContext;
  logger: Logger;
  /** Each part registers its own metrics here; `/metrics` serves it. */
  registry: Registry;
}

/** A started background part; `stop` resolves once it has finished its current step. */
export interface Service {
  stop(): Promise<void>;
}
