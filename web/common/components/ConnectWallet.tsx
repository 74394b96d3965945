import { useConnect, useConnectors } from "wagmi";
import { useI18n } from "../i18n/useI18n";
import { isWalletRefusal } from "../actions/signedAction";
import { GENERIC_INJECTED_ID, visibleConnectors } from "../wallet/visibleConnectors";
import { Notice } from "./Notice";

/** The wallets found in this browser, one button each; says so when there is none. */
export function ConnectWallet() {
  const { t } = useI18n();
  const connectors = visibleConnectors(useConnectors(), typeof window !== "undefined" && "ethereum" in window && window.ethereum !== undefined);
  const connect = useConnect();
  return (
    <section aria-labelledby="connect-title" className="card">
      <h2 id="connect-title">{t("connect.title")}</h2>
      {connectors.length === 0 ? (
        <p>{t("connect.none")}</p>
      ) : (
        <div className="buttons">
          {connectors.map((c) => (
            <button key={c.uid} type="button" className="primary" disabled={connect.isPending} onClick={() => connect.mutate({ connector: c })}>
              {c.icon && <img src={c.icon} alt="" width={20} height={20} />}
              {t("connect.with", { name: c.id === GENERIC_INJECTED_ID ? t("connect.browserWallet") : c.name })}
            </button>
          ))}
        </div>
      )}
      {connect.isPending && <Notice>{t("connect.pending")}</Notice>}
      {connect.isError && <Notice tone="error">{isWalletRefusal(connect.error) ? t("connect.refused") : t("connect.failed", { message: connect.error.message })}</Notice>}
    </section>
  );
}

declare global {
  interface Window {
    ethereum?: unknown;
  }
}
