import crypto from "node:crypto";
import os from "node:os";
import type { RelayDeps, Service } from "../deps";
import { createSubmitterMetrics } from "./metrics";
import { startSignerLoop, type SignerLoop } from "./signer-loop";
import { loadSigners, type RelaySigners } from "./signers";

/**
 * Chain submission: one loop per relay key over the durable outbox (outbox.ts). See
 * docs/relay-submission.md for the states and the exactly-once argument.
 */
export interface SubmitterOptions {
  /** The relay's keys; loaded from the configuration (SIGNER_KEYS or KEYSTORE_FILE) when omitted. */
  signers?: RelaySigners;
}

export function startSubmitter(deps: RelayDeps, options: SubmitterOptions = {}): Service {
  const metrics = createSubmitterMetrics(deps.registry, deps.db);
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  const log = deps.logger.child({ component: "submitter" });
  let loops: SignerLoop[] = [];
  let stopped = false;
  let orphanTimer: NodeJS.Timeout | undefined;

  const started = (async () => {
    const signers = options.signers ?? (await loadSigners(deps.config));
    if (stopped) return;
    loops = signers.accounts.map((account, i) => startSignerLoop({ deps, account, isDefault: i === 0, metrics, owner }));
    log.info({ signers: signers.addresses }, "chain submission running");
    const held = signers.addresses.map((a) => a.toLowerCase());
    const check = () =>
      warnOrphans(deps, held).catch(() => {
        /* the database is unreachable: the loops report it */
      });
    void check();
    orphanTimer = setInterval(check, ORPHAN_CHECK_MS);
    orphanTimer.unref();
  })().catch((err: Error) => {
    log.error({ err: { name: err.name, message: err.message } }, "chain submission cannot start");
  });

  return {
    async stop() {
      stopped = true;
      await started;
      clearInterval(orphanTimer);
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}

const ORPHAN_CHECK_MS = 60_000;

/** Queued operations that name a signer this relay does not hold wait until that key is configured: say so. */
async function warnOrphans(deps: RelayDeps, held: readonly string[]): Promise<void> {
  const r = await deps.db.query<{ signer: string; n: number }>(
    `SELECT signer, count(*)::int8 AS n FROM operations
     WHERE status = 'queued' AND signer IS NOT NULL AND NOT (signer = ANY($1::text[])) GROUP BY signer`,
    [held],
  );
  for (const row of r.rows) {
    deps.logger.warn({ component: "submitter", signer: row.signer, operations: row.n }, "queued operations name a signer key this relay does not hold");
  }
}
