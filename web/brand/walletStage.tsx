import type { Hex } from "viem";
import type { Config } from "wagmi";
import { waitForTransactionReceipt } from "wagmi/actions";
import { isWalletRefusal } from "../common/actions/signedAction";
import { useBrandText } from "./messages";

/** Where a transaction the brand's wallet sends stands. */
export type Stage = { kind: "idle" } | { kind: "approving" | "sending" | "mining" } | { kind: "done"; hash: Hex } | { kind: "refused" } | { kind: "failed"; message: string };

export const isBusy = (stage: Stage) => stage.kind === "approving" || stage.kind === "sending" || stage.kind === "mining";

/** The stage after `err`: the wallet declined, or the sending failed (its first line). */
export function stageOfError(err: unknown): Stage {
  return isWalletRefusal(err) ? { kind: "refused" } : { kind: "failed", message: ((err as { shortMessage?: string }).shortMessage ?? (err as Error).message).split("\n")[0]! };
}

/**
 * Has the wallet send a transaction (`send` resolves with its hash once signed), saying where it stands through
 * `setStage`, and waits for its block: resolves with the hash once it succeeded, throws otherwise.
 */
export async function sendAndMine(config: Config, setStage: (stage: Stage) => void, send: () => Promise<Hex>): Promise<Hex> {
  setStage({ kind: "sending" });
  const hash = await send();
  setStage({ kind: "mining" });
  const receipt = await waitForTransactionReceipt(config, { hash });
  if (receipt.status !== "success") throw new Error("reverted");
  setStage({ kind: "done", hash });
  return hash;
}

/** The stage in words, for screen readers too (a status region). */
export function StageStatus({ stage, testId }: { stage: Stage; testId: string }) {
  const { t } = useBrandText();
  return (
    <p role="status" data-testid={testId}>
      {stage.kind === "approving" && t("backing.approving")}
      {stage.kind === "sending" && t("backing.sending")}
      {stage.kind === "mining" && t("backing.mining")}
      {stage.kind === "done" && t("backing.done", { hash: stage.hash })}
      {stage.kind === "refused" && t("backing.refused")}
      {stage.kind === "failed" && t("backing.failed", { message: stage.message })}
    </p>
  );
}
