import { useQueryClient } from "@tanstack/react-query";
import { SecretSignIn } from "../common/components/SecretSignIn";
import { RequireWallet } from "../common/components/RequireWallet";
import * as api from "./brandApi";
import { BackingForm } from "./BackingForm";
import { MoneySection } from "./MoneySection";
import { RedemptionsCard } from "./RedemptionsForm";
import { SettlementDecimals } from "./SettlementDecimals";
import { ExpiringSection } from "./ExpiringSection";
import { StoresSection } from "./StoresSection";
import { ConsentsSection, ExportSection, RuleSection } from "./Sections";
import { WebhooksSection } from "./WebhooksSection";
import { useApiKey, useBrandQuery, useRelay } from "./useBrandConsole";
import { useBrandText } from "./messages";
import "./brand.css";

/** The brand room (route `/brand`): sign in with the brand's API key, then its console. */
export default function BrandPage() {
  const { t } = useBrandText();
  const [apiKey, setApiKey] = useApiKey();
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      {apiKey ? <Console apiKey={apiKey} signOut={() => setApiKey(null)} /> : <SignIn onKey={setApiKey} />}
    </>
  );
}

function SignIn({ onKey }: { onKey: (key: string) => void }) {
  const { t } = useBrandText();
  const relay = useRelay();
  return (
    <SecretSignIn
      id="brand-key"
      texts={{ title: t("signin.title"), label: t("signin.key"), help: t("signin.help"), submit: t("signin.submit") }}
      check={(key) => api.getBrand(relay, key)}
      failed={(err) => t("signin.failed", { message: (err as { shortMessage?: string }).shortMessage ?? (err as Error).message })}
      onSecret={onKey}
    />
  );
}

function Console({ apiKey, signOut }: { apiKey: string; signOut: () => void }) {
  const { t } = useBrandText();
  const queries = useQueryClient();
  const brand = useBrandQuery("me", apiKey, api.getBrand);
  const money = useBrandQuery("money", apiKey, api.getMoney);
  const days = useBrandQuery("daily", apiKey, api.getMoneyDaily);
  if (brand.isPending) return <p>{t("loading")}</p>;
  if (brand.error || !brand.data)
    return (
      <>
        <p role="alert">{t("failed", { message: brand.error?.message ?? "" })}</p>
        <button type="button" onClick={signOut}>
          {t("signin.out")}
        </button>
      </>
    );
  const b = brand.data;
  return (
    <>
      <p>
        <strong data-testid="brand-name">{b.name}</strong> <span className="muted brand-address">{b.address}</span>{" "}
        <button type="button" onClick={signOut}>
          {t("signin.out")}
        </button>
      </p>
      {money.error && <p role="alert">{t("failed", { message: money.error.message })}</p>}
      {money.data && (
        <SettlementDecimals asset={money.data.settlementAsset}>
          {(decimals) => (
            <>
              <MoneySection money={money.data} days={days.data} decimals={decimals} />
              <section className="card" aria-labelledby="backing-title">
                <h2 id="backing-title">{t("backing.title")}</h2>
                <p>{t("backing.intro")}</p>
                <WaitingRewards apiKey={apiKey} />
                <RequireWallet>
                  {({ address, config }) =>
                    decimals.status === "ready" ? (
                      <BackingForm
                        brand={b.address}
                        wallet={address}
                        points={config.points}
                        settlement={money.data.settlementAsset}
                        decimals={decimals.decimals}
                        onDone={() => setTimeout(() => void queries.invalidateQueries({ queryKey: ["brand"] }), 1500)}
                      />
                    ) : decimals.status === "failed" ? (
                      <p role="alert">{t("backing.decimalsFailed", { message: decimals.message })}</p>
                    ) : (
                      <p>{t("backing.decimalsLoading")}</p>
                    )
                  }
                </RequireWallet>
              </section>
              <section className="card" aria-labelledby="redemptions-title">
                <h2 id="redemptions-title">{t("redemptions.title")}</h2>
                <p>{t("redemptions.intro")}</p>
                <RedemptionsCard brand={b.address} />
              </section>
            </>
          )}
        </SettlementDecimals>
      )}
      <RuleSection apiKey={apiKey} pointsPerUnit={b.pointsPerUnit} />
      <ExpiringSection apiKey={apiKey} />
      <ConsentsSection apiKey={apiKey} />
      <ExportSection brand={b.address} />
      <StoresSection apiKey={apiKey} />
      <WebhooksSection apiKey={apiKey} />
    </>
  );
}

/** The rewards for consent that wait for backing: a deposit that covers them gets them paid. */
function WaitingRewards({ apiKey }: { apiKey: string }) {
  const { t } = useBrandText();
  const programme = useBrandQuery("programme", apiKey, api.getProgramme);
  if (programme.error) return <p role="alert">{t("failed", { message: programme.error.message })}</p>;
  const waiting = programme.data?.rewardsWaitingForBacking;
  if (!waiting) return null;
  return (
    <p data-testid="rewards-waiting" className={waiting.count > 0 ? undefined : "muted"}>
      {waiting.count > 0 ? t("backing.waiting", { count: waiting.count, points: waiting.points }) : t("backing.noneWaiting")}
    </p>
  );
}
