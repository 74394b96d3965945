import { useI18n } from "../i18n/useI18n";
import { WALLET_REFUSED } from "../actions/signedAction";
import { failureWords } from "./failureWords";
import type { RelayCallState } from "../actions/useRelayCall";

/** Where a signed request stands: waiting for the wallet, done (`done` says what), or why not. */
export function CallStatus<T>({ state, done }: { state: RelayCallState<T>; done: (result: T) => string }) {
  const { t } = useI18n();
  if (state.stage === "idle") return <div role="status" className="action-status" />;
  if (state.stage === "signing") return <div role="status" className="action-status notice notice-info" data-stage="signing"><p>{t("action.signing")}</p></div>;
  if (state.stage === "done") return <div role="status" className="action-status notice notice-success" data-stage="done"><p>{done(state.result)}</p></div>;
  const { code, message } = state.failure;
  const said = failureWords(state.failure);
  return (
    <div role="alert" className="action-status notice notice-error" data-stage="failed" data-code={code}>
      <p>{said.key === "action.failed" ? t("action.failed", { message }) : t(said.key)}</p>
      {code !== WALLET_REFUSED && <p className="muted">{t("action.code", { code })}</p>}
    </div>
  );
}
