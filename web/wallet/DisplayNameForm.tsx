import { useId, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { shareDisplayName } from "../../client/actions/shareDisplayName";
import { useI18n } from "../common/i18n/useI18n";
import { useRelayCall } from "../common/actions/useRelayCall";
import { CallStatus } from "../common/components/CallStatus";
import { relay } from "../common/relay";
import { walletSigner } from "../common/wallet/walletSigner";

/** Optionally share a name the brand's staff may greet the customer by; only while in-store recognition is granted. */
export function DisplayNameForm({ customer, brand, granted }: { customer: Address; brand: { address: Address; name: string }; granted: boolean }) {
  const { t } = useI18n();
  const wagmi = useConfig();
  const call = useRelayCall<string | null>();
  const [name, setName] = useState("");
  const id = useId();
  const send = (displayName: string) => void call.run(async () => (await shareDisplayName(relay, { signer: walletSigner(wagmi, customer), brand: brand.address, displayName })).displayName);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) send(name.trim());
  };
  return (
    <section className="sub" aria-labelledby={`${id}-t`}>
      <h4 id={`${id}-t`}>{t("name.title")}</h4>
      <p className="small">{granted ? t("name.intro", { brand: brand.name }) : t("name.needsConsent")}</p>
      {granted && (
        <form onSubmit={submit} noValidate>
          <label htmlFor={`${id}-name`}>{t("name.label")}</label>
          <input id={`${id}-name`} maxLength={40} autoComplete="nickname" value={name} onChange={(e) => setName(e.target.value)} />
          <div className="buttons">
            <button type="submit" className="choice" disabled={call.pending || name.trim() === ""}>
              {t("name.share")}
            </button>
            <button type="button" className="choice" disabled={call.pending} onClick={() => send("")}>
              {t("name.remove")}
            </button>
          </div>
        </form>
      )}
      <CallStatus state={call.state} done={(n) => (n ? t("name.shared", { name: n }) : t("name.removed"))} />
    </section>
  );
}
