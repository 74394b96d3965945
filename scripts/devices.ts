/**
 * `npm run devices -- <command> [options]`: registers brands, stores and devices through a running relay's
 * HTTP API (so it works whatever database the relay uses, PGlite included).
 *
 *   add-brand       --address 0x.. --name NAME --points-per-unit 1 --operator 0x..   (admin token)
 *                   refused (exit 3) unless the chain is ready: the brand admitted and not suspended,
 *                   the operator key accepted for it (acceptOperator), purposes defined on ConsentLedger
 *   rotate-key      --address 0x..                                                   (admin token)
 *   brands          every brand with its on-chain readiness                          (admin token)
 *   brand           --address 0x..   one brand with its on-chain readiness           (admin token)
 *   remove-brand    --address 0x..   (its chain records stay; accepted operations are still sent)
 *   set-brand-limits --address 0x.. --max-purchase-amount 500    (or "default": PURCHASE_MAX_AMOUNT) (admin token)
 *                   the largest purchase amount the brand's devices may send; never above PURCHASE_MAX_AMOUNT
 *   set-earning-rule --points-per-unit 1.5                                           (brand API key)
 *   add-store       --id paris-1 --name "Paris Rivoli"                               (brand API key)
 *   stores                                                                           (brand API key)
 *   add-device      --store paris-1 --id door-1 --name "Door beacon" (--public-key KEY | --key-out FILE)
 *   devices         --store paris-1
 *   disable-device  --id door-1        enable-device --id door-1
 *   rotate-device-key --id door-1 (--public-key KEY | --key-out FILE)
 *   remove-device   --id door-1        remove-store --id paris-1 (and its devices)
 *   keygen          --key-out FILE     (a new Ed25519 key pair: private key PEM to FILE, public key printed)
 *   set-purpose     --name loyalty --categories identity,purchase-history [--id 0x..]
 *                   [--title-en T --description-en D] [--title-fr T --description-fr D]   (brand API key)
 *   purposes        remove-purpose --name loyalty                                     (brand API key)
 *
 * Common options: --relay URL (RELAY_URL, default http://127.0.0.1:8080). Secrets come from the environment
 * (or .env), never from the command line, where other users and shell history see them: RELAY_ADMIN_TOKEN for
 * admin commands, BRAND_API_KEY for a brand's. Prints the relay's JSON answer; otherwise prints its error code and exits 1,
 * or 3 when the relay refused a brand the chain is not ready for, 2 for a usage error.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { createRelayClient, generateDeviceKey, RelayError } from "../client";
import { loadEnvFile } from "../server/config/envFile";
import { helpFromDocComment } from "./lib/usage";

helpFromDocComment(__filename);
loadEnvFile();

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    relay: { type: "string" },
    // Declared only to refuse them with a clear message (secrets come from the environment).
    "admin-token": { type: "string" },
    "api-key": { type: "string" },
    address: { type: "string" },
    name: { type: "string" },
    "points-per-unit": { type: "string" },
    "max-purchase-amount": { type: "string" },
    operator: { type: "string" },
    id: { type: "string" },
    store: { type: "string" },
    "public-key": { type: "string" },
    "key-out": { type: "string" },
    categories: { type: "string" },
    "title-en": { type: "string" },
    "description-en": { type: "string" },
    "title-fr": { type: "string" },
    "description-fr": { type: "string" },
  },
});

class UsageError extends Error {
  override name = "UsageError";
}

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

const relay = createRelayClient({ url: values.relay ?? process.env.RELAY_URL ?? "http://127.0.0.1:8080" });
for (const [flag, variable] of [["admin-token", "RELAY_ADMIN_TOKEN"], ["api-key", "BRAND_API_KEY"]] as const) {
  if (values[flag] !== undefined) {
    console.error(`--${flag} is not accepted: a secret on the command line is seen by other users and kept in shell history; set ${variable} in the environment or .env`);
    process.exit(2);
  }
}

function secret(variable: "RELAY_ADMIN_TOKEN" | "BRAND_API_KEY"): string {
  const v = process.env[variable];
  if (!v) throw new UsageError(`set ${variable} in the environment or .env`);
  return v;
}
const adminToken = () => secret("RELAY_ADMIN_TOKEN");
const apiKey = () => secret("BRAND_API_KEY");

/** The relay's codes for a brand the chain is not ready for (server/brands/readiness.ts). */
const NOT_READY = new Set(["brand_not_admitted", "brand_suspended", "operator_not_accepted", "operator_of_another_brand", "no_purposes_defined", "purpose_not_defined"]);

function call(method: "GET" | "POST" | "DELETE", path: string, token: string, body?: unknown): Promise<unknown> {
  return relay.request({ method, path, bearer: token, body });
}

/** Title and description per language, from --title-en, --description-en, --title-fr, --description-fr. */
function texts(): Record<string, { title: string; description: string }> | undefined {
  const out: Record<string, { title: string; description: string }> = {};
  for (const lang of ["en", "fr"] as const) {
    const title = values[`title-${lang}`];
    const description = values[`description-${lang}`];
    if (title === undefined && description === undefined) continue;
    if (!title || !description) throw new UsageError(`give both --title-${lang} and --description-${lang}`);
    out[lang] = { title, description };
  }
  return Object.keys(out).length ? out : undefined;
}

function writeKey(file: string): string {
  const pair = generateDeviceKey();
  fs.writeFileSync(file, pair.privateKeyPem, { mode: 0o600, flag: "wx" });
  return pair.publicKey;
}

async function run(command: string | undefined): Promise<unknown> {
  switch (command) {
    case "add-brand":
      return call("POST", "/v1/admin/brands", adminToken(), {
        address: need("address"),
        name: need("name"),
        pointsPerUnit: need("points-per-unit"),
        operator: need("operator"),
      });
    case "set-brand-limits": {
      const max = need("max-purchase-amount");
      return call("POST", `/v1/admin/brands/${need("address")}/limits`, adminToken(), { maxPurchaseAmount: max === "default" ? null : max });
    }
    case "rotate-key":
      return call("POST", `/v1/admin/brands/${need("address")}/api-key`, adminToken());
    case "brands":
      return call("GET", "/v1/admin/brands", adminToken());
    case "brand":
      return call("GET", `/v1/admin/brands/${need("address")}`, adminToken());
    case "remove-brand":
      return call("DELETE", `/v1/admin/brands/${need("address")}`, adminToken());
    case "remove-store":
      return call("DELETE", `/v1/brand/stores/${encodeURIComponent(need("id"))}`, apiKey());
    case "remove-device":
      return call("DELETE", `/v1/brand/devices/${encodeURIComponent(need("id"))}`, apiKey());
    case "rotate-device-key": {
      const publicKey = values["public-key"] ?? (values["key-out"] ? writeKey(values["key-out"]) : undefined);
      if (!publicKey) throw new UsageError("give --public-key KEY, or --key-out FILE to generate a key pair");
      return call("POST", `/v1/brand/devices/${encodeURIComponent(need("id"))}/key`, apiKey(), { publicKey });
    }
    case "set-earning-rule":
      return call("POST", "/v1/brand/earning-rule", apiKey(), { pointsPerUnit: need("points-per-unit") });
    case "add-store":
      return call("POST", "/v1/brand/stores", apiKey(), { id: need("id"), name: need("name") });
    case "stores":
      return call("GET", "/v1/brand/stores", apiKey());
    case "add-device": {
      const publicKey = values["public-key"] ?? (values["key-out"] ? writeKey(values["key-out"]) : undefined);
      if (!publicKey) throw new UsageError("give --public-key KEY, or --key-out FILE to generate a key pair");
      return call("POST", `/v1/brand/stores/${encodeURIComponent(need("store"))}/devices`, apiKey(), { id: need("id"), name: need("name"), publicKey });
    }
    case "devices":
      return call("GET", `/v1/brand/stores/${encodeURIComponent(need("store"))}/devices`, apiKey());
    case "disable-device":
    case "enable-device":
      return call("POST", `/v1/brand/devices/${encodeURIComponent(need("id"))}/state`, apiKey(), { disabled: command === "disable-device" });
    case "set-purpose":
      return call("POST", "/v1/brand/purposes", apiKey(), {
        name: need("name"),
        categories: need("categories").split(",").map((c) => c.trim()),
        ...(values.id ? { id: values.id } : {}),
        ...(texts() ? { texts: texts() } : {}),
      });
    case "purposes":
      return call("GET", "/v1/brand/purposes", apiKey());
    case "remove-purpose":
      return call("DELETE", `/v1/brand/purposes/${encodeURIComponent(need("name"))}`, apiKey());
    case "keygen":
      return { publicKey: writeKey(need("key-out")), privateKeyFile: values["key-out"] };
    default:
      throw new UsageError(`unknown command ${command ?? "(none)"}: see the header of scripts/devices.ts`);
  }
}

run(positionals[0]).then(
  (out) => {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
  (err: Error) => {
    const message = err instanceof RelayError ? `${err.status} ${err.code}: ${err.shortMessage}` : err instanceof UsageError ? err.message : err.message.split("\n")[0];
    process.stderr.write(`devices: ${message}\n`);
    process.exit(err instanceof UsageError ? 2 : err instanceof RelayError && NOT_READY.has(err.code) ? 3 : 1);
  },
);
