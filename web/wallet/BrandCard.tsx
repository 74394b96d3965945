import { useEffect, useId } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { revokeAll } from "../../client/actions/revokeAll";
import { PURPOSES } from "../../client/purposes";
import { useI18n } from "../common/i18n/useI18n";
import { clientSteps } from "../common/actions/clientSteps";
import { useSignedAction } from "../common/actions/useSignedAction";
import { ActionStatus } from "../common/components/ActionStatus";
import { relay, type CustomerConsents, type DiscoveredBrand } from "../common/relay";
import { PurposeRow } from "./PurposeRow";
import { purposeState } from "./purposeState";
import { CardLinkForm } from "./CardLinkForm";
import { DisplayNameForm } from "./DisplayNameForm";
import { ShoppingListPanel } from "./ShoppingListPanel";

export interface BrandCardProps {
  customer: Address;
  brand: DiscoveredBrand;
  consents: CustomerConsents;
  onSettled(): void;
}

/** A brand: each purpose with its state and choice, "revoke everything", and the customer's data held off chain for it. */
export function BrandCard({ customer, brand, consents, onSettled }: BrandCardProps) {
  const { t } = useI18n();
  const wagmi = useConfig();
  const all = useSignedAction();
  const id = useId();
  const states = brand.purposes.map((p) => purposeState(consents, brand.address, p.id));
  const anyGranted = states.some((s) => s.kind === "granted");
  const has = (purpose: string) => brand.purposes.some((p) => p.id === purpose);
  const recognitionGranted = brand.purposes.some((p, i) => p.id === PURPOSES.inStoreRecognition && states[i]!.kind === "granted");
  const settled = all.state.stage === "confirmed" || all.state.stage === "failed";
  useEffect(() => {
    if (settled) onSettled();
  }, [settled]); // eslint-disable-line react-hooks/exhaustive-deps

  const onRevokeAll = () => void all.run(clientSteps(wagmi, customer, (signer) => revokeAll(relay, { signer, controller: brand.address }).then((r) => r.operation.operationId)));

  return (
    <li className="card brand" data-brand={brand.address} aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{brand.name}</h3>
      <p className="muted small">
        <code className="address">{brand.address}</code>
      </p>
      <p className="small">{brand.acceptsRedemptions ? t("brand.redeems", { rule: brand.earningRule.pointsPerUnit }) : t("brand.noRedeem", { rule: brand.earningRule.pointsPerUnit })}</p>
      {brand.purposes.length === 0 ? (
        <p className="empty">{t("brand.noPurposes")}</p>
      ) : (
        <ul className="purposes">
          {brand.purposes.map((p, i) => (
            <PurposeRow key={p.id} customer={customer} brand={brand} purpose={p} state={states[i]!} onSettled={onSettled} />
          ))}
        </ul>
      )}
      {anyGranted && (
        <div className="revoke-all">
          <button type="button" className="choice" disabled={all.pending} onClick={onRevokeAll}>
            {t("brand.revokeAll", { brand: brand.name })}
          </button>
          <ActionStatus state={all.state} />
        </div>
      )}
      <details className="more">
        <summary>{t("brand.more")}</summary>
        {has(PURPOSES.inStoreRecognition) && <DisplayNameForm customer={customer} brand={brand} granted={recognitionGranted} />}
        <CardLinkForm customer={customer} brand={brand} />
        {has(PURPOSES.shoppingList) && <ShoppingListPanel customer={customer} brand={brand} />}
      </details>
    </li>
  );
}
