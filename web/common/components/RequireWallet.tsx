import type { ReactNode } from "react";
import type { Address } from "viem";
import { useConnection, useSwitchChain } from "wagmi";
import { useI18n } from "../i18n/useI18n";
import { isWalletRefusal } from "../actions/signedAction";
import { useChainStatus } from "../wallet/useChainStatus";
import type { RelayConfig } from "../relay";
import { AccountBar } from "./AccountBar";
import { ConnectWallet } from "./ConnectWallet";
import { Notice } from "./Notice";

export interface WalletReady {
  address: Address;
  config: RelayConfig;
}

/**
 * Renders `children` once a wallet is connected on the relay's chain; before that, in turn: the relay's
 * configuration loading (or why it failed), the wallets to connect, the wrong network with a switch.
 */
export function RequireWallet({ children }: { children: (ready: WalletReady) => ReactNode }) {
  const { t } = useI18n();
  const chain = useChainStatus();
  if (chain.status === "loading") return <Notice>{t("config.loading")}</Notice>;
  if (chain.status === "failed") {
    return (
      <Notice tone="error">
        <p>{t("config.failed", { message: chain.message })}</p>
        <button type="button" onClick={chain.retry}>
          {t("config.retry")}
        </button>
      </Notice>
    );
  }
  return <ConnectedOnChain config={chain.config}>{children}</ConnectedOnChain>;
}

function ConnectedOnChain({ config, children }: { config: RelayConfig; children: (ready: WalletReady) => ReactNode }) {
  const { t } = useI18n();
  const connection = useConnection();
  const switchChain = useSwitchChain();
  if (connection.status === "reconnecting") return <Notice>{t("connect.reconnecting")}</Notice>;
  if (connection.status !== "connected") return <ConnectWallet />;
  const name = t("chain.name", { id: config.chainId });
  const onChain = connection.chainId === config.chainId;
  return (
    <>
      <AccountBar address={connection.address} />
      {onChain ? (
        <p className="muted" data-testid="chain">
          {t("chain.right", { name })}
        </p>
      ) : (
        <section className="card" aria-labelledby="wrong-chain">
          <p id="wrong-chain" data-testid="wrong-chain">
            {t("chain.wrong", { current: connection.chainId, name, expected: config.chainId })}
          </p>
          <button type="button" className="primary" disabled={switchChain.isPending} onClick={() => switchChain.mutate({ chainId: config.chainId })}>
            {t("chain.switch", { name })}
          </button>
          {switchChain.isPending && <Notice>{t("chain.switching")}</Notice>}
          {switchChain.isError && (
            <Notice tone="error">{isWalletRefusal(switchChain.error) ? t("chain.switchRefused") : t("chain.switchFailed", { message: switchChain.error.message })}</Notice>
          )}
        </section>
      )}
      {onChain && children({ address: connection.address, config })}
    </>
  );
}
