/**
 * The life of a signed action, without React: the wallet signs, the relay queues, the chain confirms.
 * `runSignedAction` drives it and reports each stage; `useSignedAction` is its thin React wrapper.
 */
import type { Hex } from "viem";
import { RelayConnectionError, RelayError } from "../../../client/errors/relay";
import type { Operation } from "../../../client/relay/types";

/** What the app reads of an operation (GET /v1/operations/{id}). */
export type RelayOperation = Pick<Operation, "id" | "status" | "txHash" | "blockNumber" | "error">;

/** Why an action did not happen: a stable code and the words that came with it. */
export interface ActionFailure {
  /** `wallet_refused`, `relay_unreachable`, `unexpected`, or the relay's or the chain's error code. */
  code: string;
  message: string;
}

export const WALLET_REFUSED = "wallet_refused";
export const RELAY_UNREACHABLE = "relay_unreachable";

/** Where an action stands; each stage carries what the screen shows of it. */
export type ActionState =
  | { stage: "idle" }
  /** The wallet is asked to sign: nothing can be clicked twice. */
  | { stage: "signing" }
  /** Signed; being posted to the relay. */
  | { stage: "signed" }
  | { stage: "queued"; operationId: string }
  | { stage: "submitted"; operationId: string; txHash?: Hex }
  | { stage: "confirmed"; operationId: string; txHash?: Hex; blockNumber?: number }
  | { stage: "failed"; failure: ActionFailure; operationId?: string; txHash?: Hex };

export type ActionStage = ActionState["stage"];

/** The two steps that differ from action to action. */
export interface SignedActionSteps<S> {
  /** Asks the wallet for the signature (and builds what `submit` posts). */
  sign(): Promise<S>;
  /** Posts the signed action to the relay; resolves to the relay's operation id. */
  submit(signed: S): Promise<string>;
}

export interface RunSignedActionParameters<S> {
  steps: SignedActionSteps<S>;
  /** Reads an operation (GET /v1/operations/{id}). */
  getOperation(id: string): Promise<RelayOperation>;
  /** Called with every new state, the last one being `confirmed` or `failed`. */
  onState(state: ActionState): void;
  /** Stops following (e.g. the screen went away); no state is reported after it fires. */
  signal?: AbortSignal;
  /** Time between two reads of the operation, ms. */
  pollMs?: number;
}

/** Whether the action is under way (not idle, not finished). */
export function isPending(state: ActionState): boolean {
  return state.stage !== "idle" && state.stage !== "confirmed" && state.stage !== "failed";
}

/** Whether `err`, or an error it wraps, is an EIP-1193 user rejection (code 4001). */
export function isWalletRefusal(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 10; depth++, e = e.cause as typeof e) {
    if (e.code === 4001) return true;
  }
  return false;
}

/** The failure an error stands for. */
export function actionFailure(err: unknown): ActionFailure {
  if (isWalletRefusal(err)) return { code: WALLET_REFUSED, message: "the wallet's owner declined to sign" };
  if (err instanceof RelayError) return { code: err.code, message: err.shortMessage };
  if (err instanceof RelayConnectionError) return { code: RELAY_UNREACHABLE, message: err.message };
  const e = err as { shortMessage?: string; message?: string } | undefined;
  return { code: "unexpected", message: e?.shortMessage ?? e?.message ?? String(err) };
}

/** The state an operation read from the relay stands for. */
export function operationState(op: RelayOperation): ActionState {
  switch (op.status) {
    case "queued":
      return { stage: "queued", operationId: op.id };
    case "submitted":
      return { stage: "submitted", operationId: op.id, txHash: op.txHash };
    case "confirmed":
      return { stage: "confirmed", operationId: op.id, txHash: op.txHash, blockNumber: op.blockNumber };
    case "failed":
      return { stage: "failed", operationId: op.id, txHash: op.txHash, failure: op.error ?? { code: "failed", message: "the operation failed" } };
  }
}

const sameState = (a: ActionState, b: ActionState) => JSON.stringify(a) === JSON.stringify(b);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * Signs, submits and follows one action to the chain, reporting signing -> signed -> queued ->
 * submitted -> confirmed, or failed with its code at any step (the wallet's refusal is
 * `wallet_refused`). Never throws; resolves to the last state. A relay that cannot be read while the
 * operation is followed is read again (the action is queued: it will happen).
 */
export async function runSignedAction<S>({ steps, getOperation, onState, signal, pollMs = 400 }: RunSignedActionParameters<S>): Promise<ActionState> {
  let state = { stage: "idle" } as ActionState;
  const report = (next: ActionState) => {
    if (signal?.aborted || sameState(state, next)) return;
    state = next;
    onState(next);
  };
  try {
    report({ stage: "signing" });
    const signed = await steps.sign();
    report({ stage: "signed" });
    const operationId = await steps.submit(signed);
    report({ stage: "queued", operationId });
    while (!signal?.aborted) {
      await sleep(pollMs, signal);
      if (signal?.aborted) break;
      const op = await getOperation(operationId).catch((err: unknown) => {
        if (err instanceof RelayConnectionError || (err instanceof RelayError && err.retryable)) return undefined;
        throw err;
      });
      if (!op) continue;
      report(operationState(op));
      if (op.status === "confirmed" || op.status === "failed") break;
    }
  } catch (err) {
    report({ stage: "failed", failure: actionFailure(err), ...(state.stage === "queued" || state.stage === "submitted" ? { operationId: state.operationId } : {}) });
  }
  return state;
}
