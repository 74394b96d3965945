import { useCallback, useEffect, useRef, useState } from "react";
import { getOperation } from "../../../client/actions/getOperation";
import { relay } from "../relay";
import { isPending, runSignedAction, type ActionState, type SignedActionSteps } from "./signedAction";

export interface UseSignedActionReturnType {
  state: ActionState;
  /** True from the wallet's prompt until the action is confirmed or failed. */
  pending: boolean;
  /** Signs, submits and follows `steps` (a run under way is left). */
  run<S>(steps: SignedActionSteps<S>): Promise<ActionState>;
  /** Back to idle. */
  reset(): void;
}

/** One signed action's life as React state (see `runSignedAction`); following stops on unmount. */
export function useSignedAction(): UseSignedActionReturnType {
  const [state, setState] = useState<ActionState>({ stage: "idle" });
  const current = useRef<AbortController | null>(null);
  useEffect(() => () => current.current?.abort(), []);
  const run = useCallback(<S,>(steps: SignedActionSteps<S>) => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    return runSignedAction({ steps, getOperation: (id) => getOperation(relay, { operationId: id, signal: controller.signal }), onState: setState, signal: controller.signal });
  }, []);
  const reset = useCallback(() => {
    current.current?.abort();
    setState({ stage: "idle" });
  }, []);
  return { state, pending: isPending(state), run, reset };
}
