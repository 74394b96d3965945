import { useState, type FormEvent } from "react";
import { isAddress, type Address } from "viem";
import { useConfig } from "wagmi";
import { useI18n } from "../common/i18n/useI18n";
import { useSignedAction } from "../common/actions/useSignedAction";
import { ActionStatus } from "../common/components/ActionStatus";
import type { RelayConfig } from "../common/relay";
import { setDelegateSteps } from "./setDelegate";
import { endOfDay } from "./endOfDay";

/** Appoint a delegate until a date: one signature, no gas, followed to the chain. */
export function DelegateForm({ address, config }: { address: Address; config: RelayConfig }) {
  const { t } = useI18n();
  const wagmi = useConfig();
  const action = useSignedAction();
  const [delegate, setDelegate] = useState("");
  const [day, setDay] = useState("");
  const [invalid, setInvalid] = useState<"address" | "date" | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const until = endOfDay(day);
    if (!isAddress(delegate) || delegate.toLowerCase() === address.toLowerCase()) return setInvalid("address");
    if (until === undefined) return setInvalid("date");
    setInvalid(null);
    void action.run(setDelegateSteps({ wagmi, subject: address, delegate: delegate as Address, until }));
  };

  return (
    <section className="card" aria-labelledby="delegate-title">
      <h2 id="delegate-title">{t("delegate.title")}</h2>
      <p>{t("delegate.intro")}</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="delegate-address">{t("delegate.address")}</label>
        <input
          id="delegate-address"
          name="delegate"
          autoComplete="off"
          spellCheck={false}
          placeholder="0x…"
          value={delegate}
          onChange={(e) => setDelegate(e.target.value.trim())}
          aria-invalid={invalid === "address"}
          aria-describedby={invalid === "address" ? "delegate-address-error" : undefined}
        />
        {invalid === "address" && (
          <p id="delegate-address-error" className="field-error">
            {t("delegate.invalidAddress")}
          </p>
        )}
        <label htmlFor="delegate-until">{t("delegate.until")}</label>
        <input
          id="delegate-until"
          name="until"
          type="date"
          value={day}
          onChange={(e) => setDay(e.target.value)}
          aria-invalid={invalid === "date"}
          aria-describedby={invalid === "date" ? "delegate-until-error" : undefined}
        />
        {invalid === "date" && (
          <p id="delegate-until-error" className="field-error">
            {t("delegate.invalidDate")}
          </p>
        )}
        <button type="submit" className="primary" disabled={action.pending}>
          {t("delegate.appoint")}
        </button>
      </form>
      <ActionStatus state={action.state} />
    </section>
  );
}
