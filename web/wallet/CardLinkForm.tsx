import { useId, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { linkCard } from "../../client/actions/linkCard";
import { unlinkCard } from "../../client/actions/unlinkCard";
import { useI18n } from "../common/i18n/useI18n";
import { useRelayCall } from "../common/actions/useRelayCall";
import { CallStatus } from "../common/components/CallStatus";
import { relay } from "../common/relay";
import { walletSigner } from "../common/wallet/walletSigner";

/** Link the brand's loyalty card to the wallet (its readers then recognise the customer by card), or unlink it: one signature each. */
export function CardLinkForm({ customer, brand }: { customer: Address; brand: { address: Address; name: string } }) {
  const { t } = useI18n();
  const wagmi = useConfig();
  const call = useRelayCall<"linked" | "unlinked">();
  const [card, setCard] = useState("");
  const id = useId();
  const valid = /^[\x21-\x7e]{4,128}$/.test(card);
  const link = (e: FormEvent) => {
    e.preventDefault();
    if (valid) void call.run(async () => (await linkCard(relay, { signer: walletSigner(wagmi, customer), brand: brand.address, cardToken: card }), "linked"));
  };
  const unlink = () => {
    if (valid) void call.run(async () => (await unlinkCard(relay, { signer: walletSigner(wagmi, customer), brand: brand.address, cardToken: card }), "unlinked"));
  };
  return (
    <section className="sub" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>{t("card.title")}</h4>
      <p className="small">{t("card.intro", { brand: brand.name })}</p>
      <form onSubmit={link} noValidate>
        <label htmlFor={`${id}-card`}>{t("card.label")}</label>
        <input id={`${id}-card`} autoComplete="off" spellCheck={false} value={card} onChange={(e) => setCard(e.target.value.trim())} />
        <div className="buttons">
          <button type="submit" className="choice" disabled={call.pending || !valid}>
            {t("card.link")}
          </button>
          <button type="button" className="choice" disabled={call.pending || !valid} onClick={unlink}>
            {t("card.unlink")}
          </button>
        </div>
      </form>
      <CallStatus state={call.state} done={(r) => (r === "linked" ? t("card.linked") : t("card.unlinked"))} />
    </section>
  );
}
