import { useEffect, useId, useState } from "react";
import type { Address } from "viem";
import { useConfig } from "wagmi";
import { grant } from "../../client/actions/grant";
import { revoke } from "../../client/actions/revoke";
import { categoryLabel, purposeLabel } from "../../client/labels";
import { useI18n } from "../common/i18n/useI18n";
import { clientSteps } from "../common/actions/clientSteps";
import { useSignedAction } from "../common/actions/useSignedAction";
import { ActionStatus } from "../common/components/ActionStatus";
import { relay, type BrandPurpose } from "../common/relay";
import { EXPIRY_CHOICES, expiryOf, needsRenewal, type PurposeState } from "./purposeState";

export interface PurposeRowProps {
  customer: Address;
  brand: { address: Address; name: string };
  purpose: BrandPurpose;
  state: PurposeState;
  /** Called when an action reached the chain (or failed), to read the consents again. */
  onSettled(): void;
}

/**
 * One purpose of a brand: what it means, its notice, the data in words, where it stands, and the one
 * button that changes it (grant with an expiry, or revoke), both of the same weight; a renewal offer
 * when the brand published a newer notice than the one granted.
 */
export function PurposeRow({ customer, brand, purpose, state, onSettled }: PurposeRowProps) {
  const { t, lang, formatDate } = useI18n();
  const wagmi = useConfig();
  const action = useSignedAction();
  const [days, setDays] = useState<number>(0);
  const id = useId();
  const label = purposeLabel({ name: purpose.name, language: lang, texts: purpose.texts });
  const title = label?.title ?? purpose.name ?? purpose.id;
  const renew = needsRenewal(state, purpose);
  const settled = action.state.stage === "confirmed" || action.state.stage === "failed";
  useEffect(() => {
    if (settled) onSettled();
  }, [settled]); // eslint-disable-line react-hooks/exhaustive-deps

  const onGrant = (expiresAt: number) =>
    void action.run(
      clientSteps(wagmi, customer, (signer) =>
        grant(relay, { signer, controller: brand.address, purpose: purpose.id, categories: purpose.categories, noticeHash: purpose.notice!.hash, expiresAt }).then((r) => r.operation.operationId),
      ),
    );
  const onRevoke = () => void action.run(clientSteps(wagmi, customer, (signer) => revoke(relay, { signer, controller: brand.address, purpose: purpose.id }).then((r) => r.operation.operationId)));
  const canGrant = purpose.notice !== null && purpose.categories !== 0n;

  return (
    <li className="purpose" data-purpose={purpose.name ?? purpose.id} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>{title}</h4>
      {label?.description && <p>{label.description}</p>}
      <p className="muted small">
        {purpose.name ?? t("purpose.unnamed")} · <code className="hash">{purpose.id}</code>
      </p>
      <Categories names={purpose.categoryNames} lang={lang} />
      {purpose.notice ? (
        <p className="small">
          <a href={purpose.notice.uri} target="_blank" rel="noreferrer">
            {t("purpose.notice", { version: purpose.notice.version })}
          </a>{" "}
          <span className="muted">{t("purpose.noticeHash")}</span> <code className="hash">{purpose.notice.hash}</code>
        </p>
      ) : (
        <p className="muted small">{t("purpose.noNotice")}</p>
      )}
      {purpose.reward != null && purpose.reward > 0n && <p className="small">{t("purpose.reward", { points: purpose.reward.toString() })}</p>}
      <p className="state" data-testid="purpose-state" data-state={state.kind}>
        <StateWords state={state} formatDate={formatDate} />
      </p>
      {renew && state.kind === "granted" && purpose.notice && (
        <div className="notice notice-info" role="status" data-testid="renewal">
          <p>{t("purpose.renewal", { brand: brand.name, version: purpose.notice.version })}</p>
          <button type="button" className="choice" disabled={action.pending} onClick={() => onGrant(state.expiresAt)}>
            {t("purpose.renew")}
          </button>
        </div>
      )}
      {state.kind === "granted" ? (
        <div className="buttons">
          <button type="button" className="choice" disabled={action.pending} onClick={onRevoke}>
            {t("purpose.revoke")}
          </button>
        </div>
      ) : state.kind !== "pending" ? (
        <div className="grant-row">
          <label htmlFor={`${id}-expiry`}>{t("purpose.expiry")}</label>
          <select id={`${id}-expiry`} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {EXPIRY_CHOICES.map((d) => (
              <option key={d} value={d}>
                {d === 0 ? t("purpose.expiry.none") : t("purpose.expiry.days", { days: d })}
              </option>
            ))}
          </select>
          <div className="buttons">
            <button type="button" className="choice" disabled={action.pending || !canGrant} onClick={() => onGrant(expiryOf(days))}>
              {t("purpose.grant")}
            </button>
          </div>
          {!canGrant && <p className="muted small">{t("purpose.cannotGrant")}</p>}
        </div>
      ) : null}
      <ActionStatus state={action.state} />
    </li>
  );
}

function Categories({ names, lang }: { names: readonly string[]; lang: string }) {
  const { t } = useI18n();
  if (names.length === 0) return <p className="muted small">{t("purpose.noCategories")}</p>;
  return (
    <div className="small">
      <p className="label">{t("purpose.categories")}</p>
      <ul className="categories">
        {names.map((n) => {
          const c = categoryLabel({ name: n, language: lang });
          return (
            <li key={n}>
              <strong>{c?.title ?? n}</strong>
              {c?.examples ? ` (${c.examples})` : ""}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function StateWords({ state, formatDate }: { state: PurposeState; formatDate(d: Date | number, withTime?: boolean): string }) {
  const { t } = useI18n();
  const day = (s: number) => formatDate(s * 1000);
  switch (state.kind) {
    case "none":
      return <>{t("state.none")}</>;
    case "pending":
      return <>{t(state.action === "grant" ? "state.pendingGrant" : "state.pendingRevoke")}</>;
    case "granted":
      return <>{state.expiresAt === 0 ? t("state.granted", { since: day(state.since) }) : t("state.grantedUntil", { since: day(state.since), until: day(state.expiresAt) })}</>;
    case "revoked":
      return <>{t("state.revoked", { on: day(state.on) })}</>;
    case "expired":
      return <>{t("state.expired", { on: day(state.on) })}</>;
  }
}
