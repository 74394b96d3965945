import { useState, type FormEvent } from "react";
import * as api from "./brandApi";
import { useBrandMutation, useBrandQuery } from "./useBrandConsole";
import { useBrandText } from "./messages";

/** The relay's own words for a refusal (a RelayError's shortMessage), without the request's details. */
const reason = (err: Error) => (err as { shortMessage?: string }).shortMessage ?? err.message;

/** A secret just given by the relay, for the endpoint at `url`: shown until the brand dismisses it. */
interface ShownSecret {
  url: string;
  secret: string;
  rotated: boolean;
}

/**
 * The brand's webhook endpoints (docs/webhooks.md): add one (URL, the event types it receives), enable
 * or disable, rotate its signing secret, delete it (after a confirmation); each with its deliveries and
 * re-delivery. A signing secret is shown once, right after the relay answered it, and never stored.
 */
export function WebhooksSection({ apiKey }: { apiKey: string }) {
  const { t } = useBrandText();
  const endpoints = useBrandQuery("webhooks", apiKey, api.getWebhookEndpoints);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t("webhooks.title")}</h2>
      {shown && <SecretOnce shown={shown} onDismiss={() => setShown(null)} />}
      {endpoints.isPending && <p>{t("loading")}</p>}
      {endpoints.error && <p role="alert">{t("failed", { message: reason(endpoints.error) })}</p>}
      {endpoints.data?.length === 0 && <p>{t("webhooks.empty")}</p>}
      {endpoints.data?.map((e) => <Endpoint key={e.id} apiKey={apiKey} endpoint={e} onSecret={setShown} />)}
      <NewEndpointForm apiKey={apiKey} onSecret={setShown} />
    </section>
  );
}

/** The secret, copyable, with the warning that it will not be shown again. */
function SecretOnce({ shown, onDismiss }: { shown: ShownSecret; onDismiss: () => void }) {
  const { t } = useBrandText();
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="brand-secret" role="region" aria-labelledby="webhook-secret-title" data-testid="webhook-secret">
      <h3 id="webhook-secret-title">{t(shown.rotated ? "webhooks.secretRotatedTitle" : "webhooks.secretTitle", { url: shown.url })}</h3>
      <p>
        <strong>{t("webhooks.secretWarning")}</strong>
      </p>
      <label htmlFor="webhook-secret-value">{t("webhooks.secretLabel")}</label>
      <input id="webhook-secret-value" readOnly value={shown.secret} onFocus={(e) => e.currentTarget.select()} spellCheck={false} autoComplete="off" />
      <div className="buttons">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t("webhooks.copy")}
        </button>
        <button type="button" onClick={onDismiss}>
          {t("webhooks.secretDone")}
        </button>
      </div>
      <p role="status">{copied === "yes" ? t("webhooks.copied") : copied === "failed" ? t("webhooks.copyFailed") : ""}</p>
    </div>
  );
}

function NewEndpointForm({ apiKey, onSecret }: { apiKey: string; onSecret: (s: ShownSecret) => void }) {
  const { t } = useBrandText();
  const types = useBrandQuery("webhook-event-types", apiKey, api.getWebhookEventTypes);
  const create = useBrandMutation(apiKey, (relay, key, e: api.NewWebhookEndpoint) => api.createWebhookEndpoint(relay, key, e));
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  // Event types left out (all are received unless unticked).
  const [unticked, setUnticked] = useState<Set<string>>(new Set());
  const [noType, setNoType] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const eventTypes = (types.data?.eventTypes ?? []).filter((ty) => !unticked.has(ty));
    setNoType(eventTypes.length === 0);
    if (eventTypes.length === 0) return;
    create.mutate(
      { url: url.trim(), eventTypes, ...(description.trim() ? { description: description.trim() } : {}) },
      {
        onSuccess: (created) => {
          onSecret({ url: created.url, secret: created.secret, rotated: false });
          setUrl("");
          setDescription("");
          setUnticked(new Set());
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="webhook-new-title">
      <h3 id="webhook-new-title">{t("webhooks.newTitle")}</h3>
      <label htmlFor="webhook-url">{t("webhooks.url")}</label>
      <input id="webhook-url" type="url" inputMode="url" autoComplete="off" placeholder="https://" value={url} onChange={(e) => setUrl(e.target.value)} aria-describedby="webhook-url-help" required />
      <p id="webhook-url-help" className="muted">
        {t("webhooks.urlHelp")}
      </p>
      <label htmlFor="webhook-description">{t("webhooks.description")}</label>
      <input id="webhook-description" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
      {types.error && <p role="alert">{t("failed", { message: reason(types.error) })}</p>}
      {types.data && (
        <fieldset>
          <legend>{t("webhooks.eventTypes")}</legend>
          {types.data.eventTypes.map((ty) => (
            <label key={ty} className="brand-check">
              <input
                type="checkbox"
                checked={!unticked.has(ty)}
                onChange={(e) => {
                  const next = new Set(unticked);
                  if (e.target.checked) next.delete(ty);
                  else next.add(ty);
                  setUnticked(next);
                }}
              />{" "}
              <code>{ty}</code>
            </label>
          ))}
          <p className="muted">{t("webhooks.always", { types: types.data.always.join(", ") })}</p>
        </fieldset>
      )}
      <button type="submit" disabled={create.isPending || !types.data}>
        {t("webhooks.add")}
      </button>
      {noType && <p role="alert">{t("webhooks.noType")}</p>}
      {create.error && <p role="alert">{t("webhooks.addFailed", { message: reason(create.error) })}</p>}
    </form>
  );
}

function Endpoint({ apiKey, endpoint, onSecret }: { apiKey: string; endpoint: api.WebhookEndpoint; onSecret: (s: ShownSecret) => void }) {
  const { t } = useBrandText();
  const state = useBrandMutation(apiKey, (relay, key, enabled: boolean) => api.setWebhookEndpointEnabled(relay, key, endpoint.id, enabled));
  const rotate = useBrandMutation(apiKey, (relay, key, _: void) => api.rotateWebhookSecret(relay, key, endpoint.id));
  // Its deliveries go with it: their query is dropped rather than asked again.
  const remove = useBrandMutation(
    apiKey,
    (relay, key, _: void) => api.deleteWebhookEndpoint(relay, key, endpoint.id),
    (queryKey) => queryKey[1] === "deliveries" && queryKey[3] === endpoint.id,
  );
  const error = state.error ?? rotate.error ?? remove.error;
  const url = endpoint.url;
  return (
    <div className="brand-endpoint" data-testid={`webhook-${endpoint.id}`}>
      <h3>{url}</h3>
      {endpoint.description && <p>{endpoint.description}</p>}
      <p data-testid="webhook-state">
        {endpoint.enabled ? t("webhooks.enabled") : endpoint.disabledReason === "failing" ? t("webhooks.disabledFailing") : t("webhooks.disabled")}
        {" · "}
        {t("webhooks.receives", { types: endpoint.eventTypes.join(", ") })}
      </p>
      <div className="buttons">
        <button type="button" disabled={state.isPending} onClick={() => state.mutate(!endpoint.enabled)}>
          {endpoint.enabled ? t("webhooks.disable", { url }) : t("webhooks.enable", { url })}
        </button>
        <button
          type="button"
          disabled={rotate.isPending}
          onClick={() => window.confirm(t("webhooks.rotateConfirm", { url })) && rotate.mutate(undefined, { onSuccess: (r) => onSecret({ url: r.url, secret: r.secret, rotated: true }) })}
        >
          {t("webhooks.rotate", { url })}
        </button>
        <button type="button" disabled={remove.isPending} onClick={() => window.confirm(t("webhooks.deleteConfirm", { url })) && remove.mutate(undefined)}>
          {t("webhooks.delete", { url })}
        </button>
      </div>
      {error && <p role="alert">{t("failed", { message: reason(error) })}</p>}
      <Deliveries apiKey={apiKey} endpoint={endpoint} />
    </div>
  );
}

function Deliveries({ apiKey, endpoint }: { apiKey: string; endpoint: api.WebhookEndpoint }) {
  const { t } = useBrandText();
  const deliveries = useBrandQuery("deliveries", apiKey, (relay, key) => api.getDeliveries(relay, key, endpoint.id), [endpoint.id]);
  const again = useBrandMutation(apiKey, (relay, key, id: string) => api.redeliver(relay, key, id));
  return (
    <>
      <h4>{t("webhooks.deliveries", { url: endpoint.url })}</h4>
      {deliveries.data?.length === 0 && <p>{t("webhooks.noDeliveries")}</p>}
      <ul>
        {deliveries.data?.map((d) => (
          <li key={d.id}>
            {d.type ?? d.eventType} · {d.status}{" "}
            <button type="button" onClick={() => again.mutate(d.id)}>
              {t("webhooks.redeliver")}
            </button>
          </li>
        ))}
      </ul>
      {again.isSuccess && <p role="status">{t("webhooks.requeued")}</p>}
      {again.error && <p role="alert">{t("failed", { message: reason(again.error) })}</p>}
    </>
  );
}
