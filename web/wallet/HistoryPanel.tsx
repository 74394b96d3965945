import type { Address } from "viem";
import { useI18n } from "../common/i18n/useI18n";
import { Notice } from "../common/components/Notice";
import type { DiscoveredBrand, HistoryEntry, RelayConfig } from "../common/relay";
import { useHistory } from "./useCustomer";

/** Saves `value` as a JSON file named `name` (a download the person keeps). */
function download(name: string, value: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The customer's consent actions across brands, newest first, each with its receipt to download. */
export function HistoryPanel({ customer, config, brands }: { customer: Address; config: RelayConfig; brands: DiscoveredBrand[] }) {
  const { t, formatDate } = useI18n();
  const history = useHistory(customer);
  const brandOf = (a: string | null) => brands.find((b) => b.address.toLowerCase() === a?.toLowerCase());
  const onReceipt = async (entry: HistoryEntry) => {
    // The receipt code (and its schema) loads only when a receipt is asked for.
    const { receiptOfEntry } = await import("./receipt");
    const noticeUri = brandOf(entry.counterparty)?.purposes.find((p) => p.id === entry.purpose && p.notice?.hash === entry.noticeHash)?.notice?.uri ?? null;
    const receipt = receiptOfEntry({ entry, subject: customer, chainId: config.chainId, ledger: config.ledger, noticeUri });
    if (receipt) download(`consent-receipt-${receipt.recordId.replace(/[^\w-]+/g, "-")}.json`, receipt);
  };
  const consents = history.data?.filter((e) => e.type === "consent") ?? [];
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("history.title")}</h2>
      {history.isPending ? (
        <Notice>{t("history.loading")}</Notice>
      ) : history.isError ? (
        <Notice tone="error">{t("history.failed", { message: history.error.message })}</Notice>
      ) : consents.length === 0 ? (
        <p className="empty">{t("history.empty")}</p>
      ) : (
        <ul className="history" data-testid="history">
          {consents.map((e) => (
            <li key={`${e.txHash ?? "exp"}-${e.logIndex}-${e.seq}-${e.action}`}>
              <p>
                <strong>{t(e.action === "grant" ? "history.grant" : e.action === "revoke" ? "history.revoke" : e.action === "revoke-all" ? "history.revokeAll" : "history.expired")}</strong>{" "}
                {brandOf(e.counterparty)?.name ?? e.counterparty} {e.purposeName ? `· ${e.purposeName}` : ""}
              </p>
              <p className="muted small">{formatDate(e.timestamp * 1000, true)}</p>
              {e.txHash && e.action !== "expired" && (
                <button type="button" className="choice" onClick={() => void onReceipt(e)}>
                  {t("history.receipt")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
