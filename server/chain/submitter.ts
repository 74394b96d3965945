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

  const started = (async () => {
    const signers = options.signers ?? (await loadSigners(deps.config));
    if (stopped) return;
    loops = signers.accounts.map((account, i) => startSignerLoop({ deps, account, isDefault: i === 0, metrics, owner }));
    log.info({ signers: signers.addresses }, "chain submission running");
  })().catch((err: Error) => {
    log.error({ err: { name: err.name, message: err.message } }, "chain submission cannot start");
  });

  return {
    async stop() {
      stopped = true;
      await started;
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
