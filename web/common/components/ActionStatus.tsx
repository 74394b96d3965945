import { useI18n } from "../i18n/useI18n";
import type { PlainMessageKey } from "../i18n/translate";
import { WALLET_REFUSED, type ActionState } from "../actions/signedAction";
import { failureWords } from "./failureWords";

const STAGE: Record<"signing" | "signed" | "queued" | "submitted" | "confirmed", PlainMessageKey> = {
  signing: "action.signing",
  signed: "action.signed",
  queued: "action.queued",
  submitted: "action.submitted",
  confirmed: "action.confirmed",
};

/**
 * Where a signed action stands, in words, in a live region (a screen reader hears each stage):
 * the wallet's prompt, the relay's queue, the chain with the transaction hash, or why it failed.
 */
export function ActionStatus({ state }: { state: ActionState }) {
  const { t } = useI18n();
  if (state.stage === "idle") return <div role="status" className="action-status" />;
  if (state.stage === "failed") {
    const { code, message } = state.failure;
    const said = failureWords(state.failure);
    const words = said.key === "action.failed" ? t("action.failed", { message }) : t(said.key);
    return (
      <div role="alert" className="action-status notice notice-error" data-stage="failed" data-code={code}>
        <p>{words}</p>
        {code !== WALLET_REFUSED && <p className="muted">{t("action.code", { code })}</p>}
        {state.txHash && <TxHash hash={state.txHash} />}
      </div>
    );
  }
  const tx = state.stage === "submitted" || state.stage === "confirmed" ? state.txHash : undefined;
  return (
    <div role="status" className={`action-status notice notice-${state.stage === "confirmed" ? "success" : "info"}`} data-stage={state.stage}>
      <p>{t(STAGE[state.stage])}</p>
      {tx && <TxHash hash={tx} />}
    </div>
  );
}

function TxHash({ hash }: { hash: string }) {
  const { t } = useI18n();
  return (
    <p className="tx">
      {t("action.tx")} <code className="hash">{hash}</code>
    </p>
  );
}
