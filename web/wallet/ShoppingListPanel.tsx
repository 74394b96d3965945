import { useId, useState } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { clearShoppingList } from "../../client/actions/clearShoppingList";
import { getShoppingList } from "../../client/actions/getShoppingList";
import { useI18n } from "../common/i18n/useI18n";
import { useRelayCall } from "../common/actions/useRelayCall";
import { CallStatus } from "../common/components/CallStatus";
import { relay, type ShoppingListItem } from "../common/relay";
import { walletSigner } from "../common/wallet/walletSigner";

/** The shopping list the customer's home scanner built at the brand: shown and cleared by signature. */
export function ShoppingListPanel({ customer, brand }: { customer: Address; brand: { address: Address; name: string } }) {
  const { t, formatDate } = useI18n();
  const wagmi = useConfig();
  const call = useRelayCall<{ items: ShoppingListItem[] } | { cleared: number }>();
  const [items, setItems] = useState<ShoppingListItem[] | null>(null);
  const id = useId();
  const show = () =>
    void call.run(async () => {
      const list = await getShoppingList(relay, { signer: walletSigner(wagmi, customer), brand: brand.address });
      setItems(list);
      return { items: list };
    });
  const clear = () =>
    void call.run(async () => {
      const r = await clearShoppingList(relay, { signer: walletSigner(wagmi, customer), brand: brand.address });
      setItems([]);
      return r;
    });
  return (
    <section className="sub" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>{t("list.title")}</h4>
      <p className="small">{t("list.intro", { brand: brand.name })}</p>
      <div className="buttons">
        <button type="button" className="choice" disabled={call.pending} onClick={show}>
          {t("list.show")}
        </button>
        <button type="button" className="choice" disabled={call.pending} onClick={clear}>
          {t("list.clear")}
        </button>
      </div>
      {items !== null &&
        (items.length === 0 ? (
          <p className="empty">{t("list.empty")}</p>
        ) : (
          <ul className="shopping-list" data-testid="shopping-list">
            {items.map((i, n) => (
              <li key={n}>
                <code>{i.productCode}</code> <span className="muted small">{formatDate(new Date(i.scannedAt), true)}</span>
              </li>
            ))}
          </ul>
        ))}
      <CallStatus state={call.state} done={(r) => ("cleared" in r ? t("list.cleared", { count: r.cleared }) : t("list.shown", { count: r.items.length }))} />
    </section>
  );
}
