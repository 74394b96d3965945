import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { relayRequest } from "../../client/relay/relayRequest";
import { RelayError } from "../../client/errors/relay";
import { useI18n } from "../common/i18n/useI18n";
import { Notice } from "../common/components/Notice";
import { relay } from "../common/relay";
import { CustomerCard } from "./CustomerCard";
import { useStoreStream } from "./useStoreStream";

/** The key lives in this tab's sessionStorage: gone when the tab closes, never shared with other tabs. */
const KEY = "confiance.staff.apiKey";

type Store = { id: string; name: string };

/** The staff screen (route `/staff`): sign in with the brand's API key, pick a store, see recognised customers live. */
export default function StaffPage() {
  const { t } = useI18n();
  const [apiKey, setApiKey] = useState<string | null>(() => sessionStorage.getItem(KEY));
  const signOut = () => {
    sessionStorage.removeItem(KEY);
    setApiKey(null);
  };
  return (
    <>
      <h1>{t("staff.title")}</h1>
      <p className="lead">{t("staff.intro")}</p>
      {apiKey ? (
        <SignedIn apiKey={apiKey} onSignOut={signOut} />
      ) : (
        <SignIn
          onKey={(k) => {
            sessionStorage.setItem(KEY, k);
            setApiKey(k);
          }}
        />
      )}
    </>
  );
}

function SignIn({ onKey }: { onKey(key: string): void }) {
  const { t } = useI18n();
  const [key, setKey] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) onKey(key.trim());
  };
  return (
    <form className="card" onSubmit={submit} noValidate>
      <label htmlFor="staff-key">{t("staff.apiKey")}</label>
      <input id="staff-key" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} aria-describedby="staff-key-hint" />
      <p id="staff-key-hint" className="muted small">
        {t("staff.keyHint")}
      </p>
      <button type="submit" className="primary" disabled={key.trim() === ""}>
        {t("staff.signIn")}
      </button>
    </form>
  );
}

function SignedIn({ apiKey, onSignOut }: { apiKey: string; onSignOut(): void }) {
  const { t } = useI18n();
  const stores = useQuery({
    queryKey: ["staff", "stores", apiKey],
    queryFn: ({ signal }) => relayRequest<{ stores: Store[] }>(relay, { method: "GET", path: "/v1/brand/stores", bearer: apiKey, signal }).then((r) => r.stores),
    retry: false,
  });
  const [picked, setPicked] = useState<string | null>(null);
  const storeId = picked ?? stores.data?.[0]?.id ?? null;
  const signOut = (
    <div className="buttons">
      <button type="button" onClick={onSignOut}>
        {t("staff.signOut")}
      </button>
    </div>
  );
  if (stores.isPending) return <Notice>{t("config.loading")}</Notice>;
  if (stores.isError) {
    const refused = stores.error instanceof RelayError && stores.error.status === 401;
    return (
      <>
        <Notice tone="error">{refused ? t("staff.badKey") : t("staff.storesFailed", { message: stores.error.message })}</Notice>
        {signOut}
      </>
    );
  }
  if (stores.data.length === 0) return (<><p className="empty">{t("staff.noStores")}</p>{signOut}</>);
  return (
    <>
      <label htmlFor="staff-store">{t("staff.store")}</label>
      <select id="staff-store" value={storeId ?? ""} onChange={(e) => setPicked(e.target.value)}>
        {stores.data.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {signOut}
      {storeId && <Live apiKey={apiKey} storeId={storeId} />}
    </>
  );
}

function Live({ apiKey, storeId }: { apiKey: string; storeId: string }) {
  const { t } = useI18n();
  const { customers, status } = useStoreStream(apiKey, storeId);
  return (
    <section aria-labelledby="in-store">
      <h2 id="in-store">{t("staff.customers")}</h2>
      <p className={`notice ${status === "live" ? "notice-success" : status === "refused" ? "notice-error" : "notice-info"}`} role="status" data-testid="stream-status" data-status={status}>
        {status === "live" ? t("staff.live") : status === "refused" ? t("staff.badKey") : status === "reconnecting" ? t("staff.reconnecting") : t("staff.connecting")}
      </p>
      {customers.length === 0 ? (
        <p className="empty">{t("staff.empty")}</p>
      ) : (
        <ul className="customers" aria-live="polite" data-testid="customers">
          {customers.map((c) => (
            <CustomerCard key={c.customer} customer={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
