import type { Address } from "viem";
import { useDisconnect } from "wagmi";
import { useI18n } from "../i18n/useI18n";

/** The connected account in full (the reader checks it against the wallet) and a way out. */
export function AccountBar({ address }: { address: Address }) {
  const { t } = useI18n();
  const disconnect = useDisconnect();
  return (
    <div className="account-bar">
      <span>
        {t("account.label")} <code className="address" data-testid="account">{address}</code>
      </span>
      <button type="button" onClick={() => disconnect.mutate()}>
        {t("account.disconnect")}
      </button>
    </div>
  );
}
