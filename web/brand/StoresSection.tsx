import { useState, type FormEvent } from "react";
import * as api from "./brandApi";
import { useBrandMutation, useBrandQuery } from "./useBrandConsole";
import { useBrandText } from "./messages";

/** The brand's stores, each with its devices: add, disable or enable, rotate the key, remove. */
export function StoresSection({ apiKey }: { apiKey: string }) {
  const { t } = useBrandText();
  const stores = useBrandQuery("stores", apiKey, api.getStores);
  const add = useBrandMutation(apiKey, (relay, key, s: api.Store) => api.addStore(relay, key, s));
  const remove = useBrandMutation(apiKey, (relay, key, id: string) => api.removeStore(relay, key, id));
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ id, name }, { onSuccess: () => (setId(""), setName("")) });
  };
  return (
    <section className="card" aria-labelledby="stores-title">
      <h2 id="stores-title">{t("stores.title")}</h2>
      {stores.isPending && <p>{t("loading")}</p>}
      {stores.error && <p role="alert">{t("failed", { message: stores.error.message })}</p>}
      {stores.data?.length === 0 && <p>{t("stores.empty")}</p>}
      {stores.data?.map((s) => (
        <div key={s.id} className="brand-store" data-testid={`store-${s.id}`}>
          <h3>
            {s.name} <span className="muted">({s.id})</span>
          </h3>
          <Devices apiKey={apiKey} storeId={s.id} />
          <button type="button" onClick={() => window.confirm(t("stores.confirm", { name: s.name })) && remove.mutate(s.id)}>
            {t("stores.remove", { name: s.name })}
          </button>
        </div>
      ))}
      <form onSubmit={submit}>
        <label htmlFor="store-id">{t("stores.id")}</label>
        <input id="store-id" value={id} onChange={(e) => setId(e.target.value)} required />
        <label htmlFor="store-name">{t("stores.name")}</label>
        <input id="store-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <button type="submit" disabled={add.isPending}>
          {t("stores.add")}
        </button>
        {add.error && <p role="alert">{t("failed", { message: add.error.message })}</p>}
        {remove.error && <p role="alert">{t("failed", { message: remove.error.message })}</p>}
      </form>
    </section>
  );
}

function Devices({ apiKey, storeId }: { apiKey: string; storeId: string }) {
  const { t } = useBrandText();
  const devices = useBrandQuery("devices", apiKey, (relay, key) => api.getDevices(relay, key, storeId), [storeId]);
  const add = useBrandMutation(apiKey, (relay, key, d: { id: string; name: string; publicKey: string }) => api.addDevice(relay, key, storeId, d));
  const state = useBrandMutation(apiKey, (relay, key, v: { id: string; disabled: boolean }) => api.setDeviceDisabled(relay, key, v.id, v.disabled));
  const rotate = useBrandMutation(apiKey, (relay, key, v: { id: string; publicKey: string }) => api.rotateDeviceKey(relay, key, v.id, v.publicKey));
  const remove = useBrandMutation(apiKey, (relay, key, id: string) => api.removeDevice(relay, key, id));
  const [form, setForm] = useState({ id: "", name: "", publicKey: "" });
  const [newKeys, setNewKeys] = useState<Record<string, string>>({});
  const error = add.error ?? state.error ?? rotate.error ?? remove.error;
  const prefix = `dev-${storeId}`;
  return (
    <>
      {devices.data?.length === 0 && <p>{t("devices.empty")}</p>}
      <ul className="brand-devices">
        {devices.data?.map((d) => (
          <li key={d.id} data-testid={`device-${d.id}`}>
            <strong>{d.name}</strong> <span className="muted">({d.id})</span> {d.disabled && <em>{t("devices.disabled")}</em>}
            <div className="buttons">
              <button type="button" onClick={() => state.mutate({ id: d.id, disabled: !d.disabled })}>
                {d.disabled ? t("devices.enable", { name: d.name }) : t("devices.disable", { name: d.name })}
              </button>
              <button type="button" onClick={() => remove.mutate(d.id)}>
                {t("devices.remove", { name: d.name })}
              </button>
            </div>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                rotate.mutate({ id: d.id, publicKey: newKeys[d.id] ?? "" });
              }}
            >
              <label htmlFor={`${prefix}-${d.id}-key`}>{t("devices.newKey", { name: d.name })}</label>
              <input id={`${prefix}-${d.id}-key`} value={newKeys[d.id] ?? ""} onChange={(e) => setNewKeys({ ...newKeys, [d.id]: e.target.value })} required />
              <button type="submit">{t("devices.rotate", { name: d.name })}</button>
            </form>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(form, { onSuccess: () => setForm({ id: "", name: "", publicKey: "" }) });
        }}
      >
        <label htmlFor={`${prefix}-id`}>{t("devices.id")}</label>
        <input id={`${prefix}-id`} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} required />
        <label htmlFor={`${prefix}-name`}>{t("devices.name")}</label>
        <input id={`${prefix}-name`} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        <label htmlFor={`${prefix}-key`}>{t("devices.key")}</label>
        <input id={`${prefix}-key`} value={form.publicKey} onChange={(e) => setForm({ ...form, publicKey: e.target.value })} required />
        <button type="submit" disabled={add.isPending}>
          {t("devices.add")}
        </button>
      </form>
      {error && <p role="alert">{t("failed", { message: error.message })}</p>}
    </>
  );
}
