import { useEffect, useId, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { redeem } from "../../client/actions/redeem";
import { useI18n } from "../common/i18n/useI18n";
import { clientSteps } from "../common/actions/clientSteps";
import { useSignedAction } from "../common/actions/useSignedAction";
import { ActionStatus } from "../common/components/ActionStatus";
import { relay, type DiscoveredBrand } from "../common/relay";
import { isOrderReference, orderRefOf, parseTillUrl, type TillRequest } from "./tillUrl";

/** Redeem points at a partner brand: amount and order reference typed, or read from the till's QR code link. */
export function RedeemForm({ customer, brands, till, onSettled }: { customer: Address; brands: DiscoveredBrand[]; till?: TillRequest; onSettled(): void }) {
  const { t } = useI18n();
  const wagmi = useConfig();
  const action = useSignedAction();
  const id = useId();
  const [brand, setBrand] = useState<string>(till?.brand ?? "");
  const [amount, setAmount] = useState(till?.points?.toString() ?? "");
  const [order, setOrder] = useState(till?.order ?? "");
  const [link, setLink] = useState("");
  const [invalid, setInvalid] = useState<"brand" | "amount" | "order" | "link" | null>(null);
  const settled = action.state.stage === "confirmed" || action.state.stage === "failed";
  useEffect(() => {
    if (settled) onSettled();
  }, [settled]); // eslint-disable-line react-hooks/exhaustive-deps

  const readLink = () => {
    const r = parseTillUrl(link, window.location.href);
    if (!r) return setInvalid("link");
    setInvalid(null);
    setBrand(r.brand);
    setOrder(r.order);
    if (r.points !== undefined) setAmount(r.points.toString());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const b = brands.find((x) => x.address.toLowerCase() === brand.toLowerCase());
    if (!b) return setInvalid("brand");
    if (!/^[1-9]\d{0,17}$/.test(amount)) return setInvalid("amount");
    if (!isOrderReference(order)) return setInvalid("order");
    setInvalid(null);
    void action.run(clientSteps(wagmi, customer, (signer) => redeem(relay, { signer, brand: b.address, points: BigInt(amount), orderRef: orderRefOf(order) }).then((r) => r.operation.operationId)));
  };
  const err = (field: typeof invalid, key: Parameters<typeof t>[0]) =>
    invalid === field ? (
      <p id={`${id}-${field}-error`} className="field-error">
        {t(key as "redeem.invalidAmount")}
      </p>
    ) : null;
  const described = (field: typeof invalid) => (invalid === field ? `${id}-${field}-error` : undefined);

  return (
    <section className="sub" aria-labelledby={`${id}-t`}>
      <h3 id={`${id}-t`}>{t("redeem.title")}</h3>
      {brands.length === 0 ? (
        <p className="empty">{t("redeem.nowhere")}</p>
      ) : (
        <>
          <label htmlFor={`${id}-link`}>{t("redeem.link")}</label>
          <input id={`${id}-link`} inputMode="url" autoComplete="off" value={link} onChange={(e) => setLink(e.target.value)} aria-invalid={invalid === "link"} aria-describedby={described("link")} />
          {err("link", "redeem.invalidLink")}
          <div className="buttons">
            <button type="button" className="choice" onClick={readLink}>
              {t("redeem.readLink")}
            </button>
          </div>
          <form onSubmit={submit} noValidate>
            <label htmlFor={`${id}-brand`}>{t("redeem.brand")}</label>
            <select id={`${id}-brand`} value={brand} onChange={(e) => setBrand(e.target.value)} aria-invalid={invalid === "brand"} aria-describedby={described("brand")}>
              <option value="">{t("redeem.chooseBrand")}</option>
              {brands.map((b) => (
                <option key={b.address} value={b.address.toLowerCase()}>
                  {b.name}
                </option>
              ))}
            </select>
            {err("brand", "redeem.invalidBrand")}
            <label htmlFor={`${id}-amount`}>{t("redeem.amount")}</label>
            <input id={`${id}-amount`} inputMode="numeric" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value.trim())} aria-invalid={invalid === "amount"} aria-describedby={described("amount")} />
            {err("amount", "redeem.invalidAmount")}
            <label htmlFor={`${id}-order`}>{t("redeem.order")}</label>
            <input id={`${id}-order`} autoComplete="off" value={order} onChange={(e) => setOrder(e.target.value)} aria-invalid={invalid === "order"} aria-describedby={described("order")} />
            {err("order", "redeem.invalidOrder")}
            <button type="submit" className="primary" disabled={action.pending}>
              {t("redeem.submit")}
            </button>
          </form>
          <ActionStatus state={action.state} />
        </>
      )}
    </section>
  );
}
