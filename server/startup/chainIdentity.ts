import type { Logger } from "pino";
import type { ChainContext } from "../chain/context";
import type { Db } from "../store/db";

/** The chain and deployment a database was built on, as kept in its `meta` table. */
export interface ChainIdentity {
  chainId: string;
  genesis: string;
  /** Hash of the deployment's first block: a chain restarted and deployed again at the same addresses differs here. */
  deployBlock: string;
  ledger: string;
  points: string;
}

/** The database holds another chain's or another deployment's state (a chain reset under a kept database). */
export class ChainChangedError extends Error {
  override name = "ChainChangedError";
  constructor(
    readonly recorded: ChainIdentity,
    readonly current: ChainIdentity,
  ) {
    const changed = (Object.keys(current) as (keyof ChainIdentity)[]).filter((k) => recorded[k] !== current[k]);
    super(
      `the database was built on another chain or deployment (${changed.map((k) => `${k} ${recorded[k]} -> ${current[k]}`).join(", ")}): ` +
        "its nonces, operations and index no longer match the chain. Start afresh with RESET_ON_CHAIN_CHANGE=true npm run relay " +
        "(empties every relay table, brands included), or point DATA_DIR / DATABASE_URL at a new database",
    );
  }
}

const KEYS = { chainId: "chain_id", genesis: "genesis_hash", deployBlock: "deploy_block_hash", ledger: "ledger_address", points: "points_address" } as const;

/** The chain's identity now: its id, its genesis block's hash, and the deployment's addresses. */
export async function currentChainIdentity(chain: ChainContext): Promise<ChainIdentity> {
  const genesis = await chain.client.getBlock({ blockNumber: 0n });
  const first = await chain.client.getBlock({ blockNumber: BigInt(chain.deployment.deployBlock) }).catch(() => undefined);
  return {
    chainId: String(chain.chainId),
    genesis: (genesis.hash ?? "").toLowerCase(),
    deployBlock: (first?.hash ?? "missing").toLowerCase(),
    ledger: chain.deployment.ledger.toLowerCase(),
    points: chain.deployment.points.toLowerCase(),
  };
}

/**
 * Checks at start that the database belongs to this chain and deployment: a new database records them;
 * a database built on another genesis block, chain id or deployment is refused (ChainChangedError, whose
 * message gives the command to start afresh), or emptied and recorded anew when `reset` is set
 * (RESET_ON_CHAIN_CHANGE). Resolves to what it did.
 */
export async function checkChainIdentity({ db, chain, reset, log }: { db: Db; chain: ChainContext; reset: boolean; log: Logger }): Promise<"recorded" | "same" | "reset"> {
  const current = await currentChainIdentity(chain);
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(727275)");
    const { rows } = await tx.query<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key = ANY($1)", [Object.values(KEYS)]);
    const got = new Map(rows.map((r) => [r.key, r.value]));
    const write = async () => {
      for (const [field, key] of Object.entries(KEYS)) {
        await tx.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, current[field as keyof ChainIdentity]]);
      }
    };
    if (got.size === 0) {
      await write();
      return "recorded";
    }
    const recorded = Object.fromEntries(Object.entries(KEYS).map(([field, key]) => [field, got.get(key) ?? ""])) as unknown as ChainIdentity;
    if ((Object.keys(KEYS) as (keyof ChainIdentity)[]).every((k) => recorded[k] === current[k])) return "same";
    if (!reset) throw new ChainChangedError(recorded, current);
    const tables = await tx.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('schema_migrations', 'meta')",
    );
    if (tables.rows.length > 0) await tx.query(`TRUNCATE ${tables.rows.map((t) => `"${t.name}"`).join(", ")} RESTART IDENTITY CASCADE`);
    await write();
    log.warn({ recorded, current }, "the chain or deployment changed: RESET_ON_CHAIN_CHANGE emptied the relay's tables");
    return "reset";
  });
}
