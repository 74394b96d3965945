import { decodeFunctionData, decodeFunctionResult, parseEventLogs, type Address, type Hex, type TransactionReceipt, type TransactionSerializable } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { failLaterActions, freeFailedReceipts, refineFailures } from "./actionFailures";
import { createSpendMetric } from "./spend";
import type { PrivateKeyAccount } from "viem/accounts";
import type { RelayDeps } from "../deps";
import { encodeBatch, encodeOperation, InvalidCallError, planBatch, type Batch, type BatchKind } from "./batch";
import { boundedCapacity, boundedGas } from "./batchGas";
import { broadcastRaw } from "./broadcast";
import { signTransactionFast } from "./signTransaction";
import { bumpFees, currentFees, type Fees } from "./fees";
import { holdLease, releaseLease } from "./lease";
import type { SubmitterMetrics } from "./metrics";
import { failQueued, nextQueued, opsOfTransaction, stillQueued, type OperationError, type QueuedOperation } from "./outbox";
import { decodeRevert, revertOf } from "./revert";
import {
  dropTransaction,
  finaliseConfirmed,
  finaliseReverted,
  OperationsTakenError,
  pendingTransactions,
  persistReplacement,
  persistSignedTransaction,
  setBroadcastError,
  setMined,
  type Attempt,
  type PendingTx,
  type SignedTx,
} from "./transactions";

/**
 * The loop of one relay key: reconcile what it has sent (receipts, confirmations, stuck replacements,
 * rebroadcasts), then sign and send what is queued. docs/relay-submission.md gives the states and why
 * each step is safe to interrupt.
 */
export interface SignerLoopOptions {
  deps: RelayDeps;
  account: PrivateKeyAccount;
  /** The default key also sends operations queued without a signer. */
  isDefault: boolean;
  metrics: SubmitterMetrics;
  /** This process's identity for the per-key lease. */
  owner: string;
}

export interface SignerLoop {
  stop(): Promise<void>;
}

/** Transactions of one key sent and not yet final, at most. */
export const MAX_IN_FLIGHT = 16;
/** A batch that reverts on chain is retried one by one; an operation is in at most this many transactions. */
export const MAX_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 5_000;
const GAS_MARGIN_PERCENT = 25n;
/** EIP-7825: no transaction may ask for more gas than this. */
export const TX_GAS_CAP = 16_777_216n;
const GAS_MARGIN_FIXED = 10_000n;

/**
 * What screening leaves to send: the operations, whether later ones wait, and the gas estimate of exactly
 * `ready` when known, or the gas limit computed for it (batchGas.ts) when it was sent without an estimate.
 */
interface Screened {
  ready: QueuedOperation[];
  deferred: boolean;
  estimate?: bigint;
  gasLimit?: bigint;
}

interface TxCall {
  to: Address;
  data: Hex;
  gas: bigint;
}

export function startSignerLoop(opts: SignerLoopOptions): SignerLoop {
  const { deps, account, isDefault, metrics, owner } = opts;
  const { db, config } = deps;
  const client = deps.chain.client;
  const chainId = deps.chain.chainId;
  const address = account.address;
  const log = deps.logger.child({ component: "submitter", signer: address });
  const poll = config.SUBMITTER_POLL_MS;
  const confirmations = Math.max(1, config.CONFIRMATIONS);
  const spend = createSpendMetric(deps.registry);
  const leaseMs = Math.max(10_000, poll * 10);
  /** Transactions this process has (re)broadcast: after a restart every pending one is sent again. */
  const broadcasted = new Set<number>();
  /** Transactions whose nonce was seen used with none of their versions mined, on the previous step. */
  const suspectedDrops = new Set<number>();

  let stopped = false;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function sign(call: TxCall, nonce: number, fees: Fees): Promise<SignedTx> {
    const base = { chainId, nonce, to: call.to, data: call.data, gas: call.gas, value: 0n };
    const tx: TransactionSerializable =
      fees.type === "eip1559"
        ? { ...base, type: "eip1559", maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
        : { ...base, type: "legacy", gasPrice: fees.gasPrice };
    return { ...(await signTransactionFast(account, tx)), fees };
  }

  async function send(txId: number, raw: Hex, hadError: boolean): Promise<void> {
    try {
      const outcome = await broadcastRaw(client, raw);
      broadcasted.add(txId);
      if (outcome !== "sent") log.debug({ txId, outcome }, "broadcast answered");
      if (hadError) await setBroadcastError(db, txId, null);
    } catch (err) {
      await setBroadcastError(db, txId, (err as Error).message);
      throw err;
    }
  }

  async function findReceipt(hashes: readonly Hex[]): Promise<TransactionReceipt | undefined> {
    for (const hash of hashes) {
      try {
        return await client.getTransactionReceipt({ hash });
      } catch (err) {
        if ((err as Error).name !== "TransactionReceiptNotFoundError") throw err;
      }
    }
    return undefined;
  }

  /**
   * Why a mined transaction reverted: the same call replayed on the state after its block (which holds
   * whatever ran before it in that block), then on the state before it.
   */
  async function explainRevert(t: PendingTx, receipt: TransactionReceipt): Promise<OperationError> {
    if (receipt.gasUsed >= t.gas) return { code: "OutOfGas", message: `transaction ${receipt.transactionHash} ran out of gas (${t.gas})` };
    for (const blockNumber of [receipt.blockNumber, receipt.blockNumber - 1n]) {
      try {
        await client.call({ account: address, to: t.to, data: t.data, blockNumber });
      } catch (err) {
        const revert = revertOf(err);
        if (!revert) throw err;
        return decodeRevert(revert);
      }
    }
    return { code: "TransactionReverted", message: `transaction ${receipt.transactionHash} reverted in block ${receipt.blockNumber}` };
  }

  /**
   * The operations whose call failed inside a mined tryMulticall, by its BatchCallFailed events (the
   * index of the call in the transaction's calldata), each with its decoded reason.
   */
  async function batchFailures(t: PendingTx, receipt: TransactionReceipt): Promise<Map<string, OperationError>> {
    const out = new Map<string, OperationError>();
    if (t.batch !== "multicall") return out;
    const events = parseEventLogs({ abi: consentLedgerAbi, eventName: "BatchCallFailed", logs: receipt.logs }).filter(
      (l) => l.address.toLowerCase() === t.to.toLowerCase(),
    );
    if (events.length === 0) return out;
    const calls = (decodeFunctionData({ abi: consentLedgerAbi, data: t.data }).args?.[0] ?? []) as readonly Hex[];
    const ops = await opsOfTransaction(db, t.id);
    for (const e of events) {
      const call = calls[Number(e.args.index)]?.toLowerCase();
      const op = ops.find((o) => encodeOperation(o).toLowerCase() === call && !out.has(o.id));
      if (op) out.set(op.id, decodeRevert({ data: e.args.reason, message: "the call failed in the batch" }));
    }
    return out;
  }

  /** Records failures' final reasons, fails the subjects' later actions, counts them. */
  async function afterFailures(failures: ReadonlyMap<string, OperationError>, stage: string): Promise<void> {
    if (failures.size === 0) return;
    const freed = await freeFailedReceipts(db, [...failures.keys()]);
    if (freed > 0) log.info({ receipts: freed, stage }, "failed issues freed their receipts");
    const later = await failLaterActions(db, failures);
    if (later.length > 0) {
      metrics.failed.inc({ kind: "customerAction", stage: "earlierFailed" }, later.length);
      log.info({ operations: later.length, stage }, "later actions of failed subjects failed: their apps must sign again");
    }
  }

  /** Records a mined transaction; returns true when it is final (deep enough, confirmed or reverted). */
  async function settle(t: PendingTx, receipt: TransactionReceipt, head: number): Promise<boolean> {
    const hash = receipt.transactionHash;
    const block = Number(receipt.blockNumber);
    if (head - block + 1 < confirmations) {
      // Not deep enough yet: note where it was mined (finalising writes the same columns, so a
      // transaction deep enough at once skips this write).
      if (t.minedHash?.toLowerCase() !== hash.toLowerCase() || t.blockNumber !== block) await setMined(db, t.id, hash, block);
      return false;
    }
    const feePaid = receipt.gasUsed * receipt.effectiveGasPrice;
    spend.inc({ signer: address }, Number(feePaid));
    if (receipt.status === "success") {
      const failures = await refineFailures(db, client, deps.chain.deployment, await batchFailures(t, receipt));
      const { kinds, failed } = await finaliseConfirmed(db, t.id, hash, block, feePaid, failures);
      for (const kind of kinds) metrics.confirmed.inc({ kind });
      for (const kind of failed) metrics.failed.inc({ kind, stage: "batchCall" });
      await afterFailures(failures, "batchCall");
      log.info({ nonce: t.nonce, hash, block, operations: kinds.length, failed: failed.length }, "transaction confirmed");
      return true;
    }
    // A reverted batch: the next batches of its kind are estimated (screened) again until one passes.
    screenedKinds.delete(t.batch as BatchKind);
    const error = await explainRevert(t, receipt);
    const txOps = await opsOfTransaction(db, t.id);
    const refined = txOps.length === 1 ? await refineFailures(db, client, deps.chain.deployment, new Map([[txOps[0]!.id, error]])) : new Map<string, OperationError>();
    const { failed, failedIds, requeued } = await finaliseReverted(db, t.id, hash, block, error, MAX_ATTEMPTS, feePaid, (id) => refined.get(id) ?? error);
    await afterFailures(new Map(failedIds.map((id) => [id, refined.get(id) ?? error])), "reverted");
    for (const kind of failed) metrics.failed.inc({ kind, stage: "reverted" });
    if (requeued.length > 0) metrics.requeued.inc({ reason: "batchReverted" }, requeued.length);
    log.warn({ nonce: t.nonce, hash, block, error, failed: failed.length, requeued: requeued.length }, "transaction reverted");
    return true;
  }

  async function replace(t: PendingTx, latest: Attempt): Promise<void> {
    const fees = bumpFees(latest.fees, config.FEE_BUMP_PERCENT, await currentFees(client));
    const signed = await persistReplacement(db, t.id, () => sign(t, t.nonce, fees));
    if (!signed) return;
    metrics.replacements.inc();
    log.warn({ nonce: t.nonce, previous: latest.hash, hash: signed.hash, ageMs: Math.round(latest.ageMs) }, "stuck transaction replaced with a higher fee");
    await send(t.id, signed.raw, t.broadcastError !== null);
  }

  /** Follows the key's transactions not yet final; returns how many are still pending after it. */
  async function reconcile(minedCount: number, head: number): Promise<number> {
    const pending = await pendingTransactions(db, chainId, address);
    let left = pending.length;
    for (const t of pending) {
      if (stopped) return left;
      const newestFirst = t.attempts.map((a) => a.hash).reverse();
      if (t.nonce < minedCount) {
        const receipt = await findReceipt(newestFirst);
        if (receipt) {
          if (await settle(t, receipt, head)) left--;
          continue;
        }
        const deepCount =
          confirmations > 1
            ? await client.getTransactionCount({ address, blockNumber: BigInt(Math.max(0, head - confirmations + 1)) })
            : minedCount;
        if (t.nonce >= deepCount) continue;
        // Decided on two successive steps, never on one answer (a load-balanced endpoint may answer the
        // count from a node ahead of the one that answers receipts).
        if (!suspectedDrops.has(t.id)) {
          suspectedDrops.add(t.id);
          continue;
        }
        suspectedDrops.delete(t.id);
        const kinds = await dropTransaction(db, t.id, async (hashes) => (await findReceipt(hashes)) === undefined);
        if (kinds) left--;
        if (kinds) {
          metrics.requeued.inc({ reason: "nonceUsedElsewhere" }, kinds.length);
          log.error({ nonce: t.nonce, operations: kinds.length }, "nonce used by a transaction the relay did not sign; operations queued again");
        }
        continue;
      }
      if (t.blockNumber !== null) await setMined(db, t.id, null, null);
      const latest = t.attempts[t.attempts.length - 1];
      if (!latest) continue;
      if (latest.ageMs >= config.STUCK_TIMEOUT_MS) await replace(t, latest);
      else if (!broadcasted.has(t.id) || t.broadcastError !== null) await send(t.id, latest.raw, t.broadcastError !== null);
    }
    return left;
  }

  /**
   * Simulation and gas estimation run on the `pending` block, so that a call may depend on this key's
   * transactions not yet mined; an endpoint that refuses the `pending` tag gets `latest` from then on
   * (calls that depend on unmined ones then wait for them: see `screen`).
   */
  let blockTag: "pending" | "latest" = "pending";

  function refusesPendingTag(err: unknown): boolean {
    if (blockTag !== "pending" || revertOf(err)) return false;
    const text = String((err as Error).message);
    if (/HTTP request failed|fetch failed|ECONNREFUSED|timed out/i.test(text)) return false;
    return /pending|block tag|blockTag|invalid params|not supported|unsupported/i.test(text);
  }

  async function simulate(to: Address, data: Hex): Promise<{ data?: Hex; message: string } | undefined> {
    try {
      await client.call({ account: address, to, data, blockTag });
      return undefined;
    } catch (err) {
      if (refusesPendingTag(err)) {
        blockTag = "latest";
        log.warn("the endpoint refuses the pending block tag: simulating on latest");
        return simulate(to, data);
      }
      const revert = revertOf(err);
      if (!revert) throw err;
      return revert;
    }
  }

  /**
   * Simulates the batch; the first call that reverts is failed with its decoded error and taken out
   * (found by simulating prefixes), until the rest passes. While earlier transactions of this key are
   * unmined, a reverting call may depend on them: the batch then stops before it, and it waits.
   */
  async function screen(batch: Batch, hasInFlight: boolean): Promise<Screened> {
    if (batch.kind === "multicall") return screenTry(batch, hasInFlight);
    const ops = [...batch.ops];
    // Sent without an estimate, with a computed gas limit: a kind whose cost is bounded, once a batch of it
    // passed an estimate and while none reverted since, for operations that were never in a transaction
    // (one a reverted batch put back is screened). Should one revert anyway, the batch is put back and screened.
    const bounded = boundedGas(batch.kind, ops.length);
    if (bounded !== undefined && screenedKinds.has(batch.kind) && ops.every((op) => op.attempts === 0)) {
      return { ready: ops, deferred: false, gasLimit: bounded };
    }
    // The common case in one call: the gas estimate runs the whole batch, so when it passes no
    // separate simulation is needed (and the estimate is kept for the transaction).
    let estimated = await estimate(batch.to, encodeBatch(batch.kind, ops));
    // Runs as a call yet cannot be estimated: more than the gas allowance (the block's limit), so halve it.
    while (estimated.gas === undefined && ops.length > 1 && !(await simulate(batch.to, encodeBatch(batch.kind, ops)))) {
      ops.splice(Math.ceil(ops.length / 2));
      metrics.batchSplits.inc();
      estimated = await estimate(batch.to, encodeBatch(batch.kind, ops));
    }
    if (estimated.gas !== undefined) {
      screenedKinds.add(batch.kind);
      return { ready: ops, deferred: false, estimate: estimated.gas };
    }
    while (ops.length > 0) {
      const whole = await simulate(batch.to, encodeBatch(batch.kind, ops));
      if (!whole) return { ready: ops, deferred: false };
      let lo = 0;
      let hi = ops.length - 1;
      let revert = whole;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const r = await simulate(batch.to, encodeBatch(batch.kind, ops.slice(0, mid + 1)));
        if (r) {
          hi = mid;
          revert = r;
        } else {
          lo = mid + 1;
        }
      }
      if (hasInFlight) return { ready: ops.slice(0, lo), deferred: true };
      const bad = ops[lo]!;
      await failInSimulation(new Map([[bad.id, decodeRevert(revert)]]), [bad]);
      ops.splice(lo, 1);
    }
    return { ready: [], deferred: false };
  }

  /** The gas estimate of a call, or (undefined gas) the call reverts; an unreachable endpoint throws. */
  async function estimate(to: Address, data: Hex): Promise<{ gas?: bigint }> {
    try {
      return { gas: await client.estimateGas({ account: address, to, data, blockTag }) };
    } catch (err) {
      if (refusesPendingTag(err)) {
        blockTag = "latest";
        log.warn("the endpoint refuses the pending block tag: simulating on latest");
        return estimate(to, data);
      }
      if (!revertOf(err)) throw err;
      return {};
    }
  }

  async function failInSimulation(raw: ReadonlyMap<string, OperationError>, ops: readonly QueuedOperation[]): Promise<void> {
    const failures = await refineFailures(db, client, deps.chain.deployment, raw);
    for (const op of ops) {
      const error = failures.get(op.id)!;
      if ((await failQueued(db, [op.id], error)) > 0) metrics.failed.inc({ kind: op.kind, stage: "simulation" });
      log.info({ operation: op.id, kind: op.kind, error }, "operation failed in simulation");
    }
    await afterFailures(failures, "simulation");
  }

  /**
   * A tryMulticall batch in one simulation: each call's outcome is in its answer, so failing calls cost
   * no bisection. Failed ones are failed (with the subjects' later queued actions) and left out; while
   * earlier transactions of this key are unmined, the batch stops before the first failure, and waits.
   */
  async function screenTry(batch: Batch, hasInFlight: boolean): Promise<Screened> {
    const ops = [...batch.ops];
    let answer: Hex | undefined;
    try {
      answer = (await client.call({ account: address, to: batch.to, data: encodeBatch("multicall", ops), blockTag })).data;
    } catch (err) {
      if (refusesPendingTag(err)) {
        blockTag = "latest";
        return screenTry(batch, hasInFlight);
      }
      throw err;
    }
    const [success, results] = decodeFunctionResult({ abi: consentLedgerAbi, functionName: "tryMulticall", data: answer ?? "0x" });
    const firstFailure = success.findIndex((ok) => !ok);
    if (firstFailure < 0) return { ready: ops, deferred: false };
    if (hasInFlight) return { ready: ops.slice(0, firstFailure), deferred: true };
    const bad = ops.filter((_, i) => !success[i]);
    await failInSimulation(new Map(bad.map((op) => [op.id, decodeRevert({ data: results[ops.indexOf(op)], message: "the call fails" })])), bad);
    const queuedNow = new Set(await stillQueued(db, ops.map((o) => o.id)));
    return { ready: ops.filter((o, i) => success[i] && queuedNow.has(o.id)), deferred: false };
  }

  /**
   * Signs, records and sends one transaction of `ops` (or of the longest prefix of them whose gas fits
   * under the cap: the rest stays queued for the next one). Returns how many operations it carried (0:
   * another submitter took them first).
   */
  async function sendBatch(kind: BatchKind, to: Address, all: QueuedOperation[], minedCount: number, estimated?: bigint, gasLimit?: bigint): Promise<number> {
    let ops = all;
    let data = encodeBatch(kind, ops);
    let gas = gasLimit ?? withMargin(estimated ?? (await client.estimateGas({ account: address, to, data, blockTag })));
    const cap = await gasCap();
    while (gas > cap && ops.length > 1) {
      // Gas grows with the number of entries: keep the share that fits, with 5% to spare for the ones that cost more.
      const keep = Math.max(1, Math.min(ops.length - 1, Math.floor((ops.length * Number(cap) * 0.95) / Number(gas))));
      ops = ops.slice(0, keep);
      kind = ops.length === 1 ? "single" : kind;
      data = encodeBatch(kind, ops);
      const bounded = gasLimit !== undefined ? boundedGas(kind, ops.length) : undefined;
      gas = bounded ?? withMargin(await client.estimateGas({ account: address, to, data, blockTag }));
      metrics.batchSplits.inc();
    }
    if (ops.length > 1) perOpGas.set(kind, gas / BigInt(ops.length));
    const fees = (stepFees ??= await currentFees(client));
    let persisted;
    try {
      persisted = await persistSignedTransaction(db, {
        chainId,
        signer: address,
        minedCount,
        opIds: ops.map((o) => o.id),
        to,
        data,
        gas,
        batch: kind,
        sign: (nonce) => sign({ to, data, gas }, nonce, fees),
      });
    } catch (err) {
      if (err instanceof OperationsTakenError) return 0;
      throw err;
    }
    metrics.transactions.inc({ batch: kind });
    metrics.batchSize.observe({ batch: kind }, ops.length);
    for (const op of ops) metrics.submitted.inc({ kind: op.kind });
    log.info({ nonce: persisted.nonce, hash: persisted.signed.hash, batch: kind, operations: ops.length, gas: Number(gas), estimated: gasLimit === undefined }, "transaction signed");
    await send(persisted.txId, persisted.signed.raw, false);
    return ops.length;
  }

  const withMargin = (estimate: bigint) => (estimate * (100n + GAS_MARGIN_PERCENT)) / 100n + GAS_MARGIN_FIXED;

  /** Kinds a batch of which passed its gas estimate, with none reverted since: their bounded batches skip the estimate. */
  const screenedKinds = new Set<BatchKind>();
  /** Gas per operation of the last batch of each kind that carried several: to plan the next within the cap. */
  const perOpGas = new Map<BatchKind, bigint>();
  let blockGasLimit: bigint | undefined;

  /**
   * A batch's gas limit stays under BATCH_GAS_MAX, under the chain's block gas limit (read once) and under
   * the per-transaction cap of EIP-7825 (2^24, enforced by Osaka nodes and the local Hardhat network).
   */
  async function gasCap(): Promise<bigint> {
    blockGasLimit ??= (await client.getBlock({ blockTag: "latest" })).gasLimit;
    let cap = BigInt(config.BATCH_GAS_MAX);
    if (blockGasLimit < cap) cap = blockGasLimit;
    return cap < TX_GAS_CAP ? cap : TX_GAS_CAP;
  }

  /** How many operations of a kind fit under the cap, from what the last batch of that kind cost. */
  async function fitsUnderCap(kind: BatchKind): Promise<number> {
    const bounded = screenedKinds.has(kind) ? boundedCapacity(kind, await gasCap()) : undefined;
    if (bounded !== undefined) return Math.min(config.BATCH_MAX, bounded);
    const per = perOpGas.get(kind);
    if (!per || per === 0n) return config.BATCH_MAX;
    return Math.max(1, Math.min(config.BATCH_MAX, Number(((await gasCap()) * 95n) / 100n / per)));
  }

  /** Sends what is queued; returns how long to wait before the next step. */
  async function submitQueued(minedCount: number, pending: number): Promise<number> {
    let inFlight = pending;
    while (!stopped) {
      // Full: come back soon to follow them (not after a whole poll interval: BATCHING=false sends many).
      if (inFlight >= MAX_IN_FLIGHT) return Math.min(poll, 50);
      const queue = await nextQueued(db, address, isDefault, config.BATCH_MAX, {
        prioritySubjects: config.PRIORITY_SUBJECTS_MAX,
        subjectFailuresMax: config.SUBJECT_FAILURES_MAX,
      });
      if (queue.length === 0) return poll;
      if (config.BATCHING && queue.length < config.BATCH_MAX) {
        const oldest = Math.max(...queue.map((q) => q.ageMs));
        if (oldest < config.BATCH_WAIT_MS) return Math.max(1, Math.min(poll, config.BATCH_WAIT_MS - oldest));
      }
      let batch = planBatch(queue, deps.chain.deployment, config.BATCHING, config.BATCH_MAX)!;
      const fits = batch.ops.length > 1 ? await fitsUnderCap(batch.kind) : 1;
      if (batch.ops.length > fits) batch = { ...batch, ops: batch.ops.slice(0, fits) };
      let invalid = false;
      // Each call is checked against the ABI only when the batch as a whole does not encode.
      for (const op of encodes(batch) ? [] : batch.ops) {
        try {
          encodeOperation(op);
        } catch (err) {
          if (!(err instanceof InvalidCallError)) throw err;
          await failQueued(db, [op.id], { code: "InvalidCall", message: err.message });
          metrics.failed.inc({ kind: op.kind, stage: "simulation" });
          invalid = true;
        }
      }
      if (invalid) continue;
      const { ready, deferred, estimate: gas, gasLimit } = await screen(batch, inFlight > 0);
      if (ready.length > 0) {
        const kind: BatchKind = ready.length === 1 ? "single" : batch.kind;
        if ((await sendBatch(kind, batch.to, ready, minedCount, gas, gasLimit)) > 0) inFlight++;
      }
      if (deferred) return poll;
    }
    return poll;
  }

  function encodes(batch: Batch): boolean {
    try {
      encodeBatch(batch.kind, batch.ops);
      return true;
    } catch {
      return false;
    }
  }

  /** Fees read once per step (every transaction of a step pays the same). */
  let stepFees: Fees | undefined;

  async function step(): Promise<number> {
    if (!(await holdLease(db, chainId, address, owner, leaseMs))) return poll;
    stepFees = undefined;
    const [minedCount, head] = await Promise.all([
      client.getTransactionCount({ address, blockTag: "latest" }),
      client.getBlockNumber({ cacheTime: 0 }).then(Number),
    ]);
    const pending = await reconcile(minedCount, head);
    if (stopped) return poll;
    return submitQueued(minedCount, pending);
  }

  const done = (async () => {
    let backoff = 0;
    while (!stopped) {
      let delay: number;
      try {
        delay = await step();
        if (backoff > 0) log.info("chain submission resumed");
        backoff = 0;
      } catch (err) {
        metrics.rpcErrors.inc({ signer: address });
        backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? poll : backoff * 2);
        log.warn({ err: { name: (err as Error).name, message: (err as Error).message.split("\n")[0] }, retryInMs: backoff }, "submission step failed");
        delay = backoff;
      }
      if (!stopped) await sleep(delay);
    }
    await releaseLease(db, chainId, address, owner).catch(() => undefined);
  })();

  log.info({ default: isDefault }, "submitter started");
  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
