import crypto from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): a secret is `whsec_` and the base64 of
 * its bytes; a request carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`,
 * a space-separated list of `v1,<base64 HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")>`, one per
 * secret in force (two during a rotation's grace period).
 */
const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

export class WebhookSecretError extends Error {
  override name = "WebhookSecretError";
}

/** A new random secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(SECRET_BYTES).toString("base64");
}

/** The key bytes of a `whsec_` secret. */
export function secretBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new WebhookSecretError("a webhook secret starts with whsec_");
  const body = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new WebhookSecretError("a webhook secret is whsec_ and base64");
  const bytes = Buffer.from(body, "base64");
  if (bytes.length < 24 || bytes.length > 64) throw new WebhookSecretError("a webhook secret holds 24 to 64 bytes");
  return bytes;
}

export interface SignParameters {
  /** The message id (`webhook-id`), the same on every attempt. */
  id: string;
  /** Unix seconds of this attempt (`webhook-timestamp`). */
  timestamp: number;
  /** The exact body sent. */
  body: string;
  /** Every secret in force, the current one first. */
  secrets: readonly string[];
}

/** One `v1,<base64>` signature per secret, space-separated: the `webhook-signature` header's value. */
export function signatureHeader({ id, timestamp, body, secrets }: SignParameters): string {
  if (secrets.length === 0) throw new WebhookSecretError("no secret to sign with");
  const content = `${id}.${timestamp}.${body}`;
  return secrets.map((s) => `v1,${crypto.createHmac("sha256", secretBytes(s)).update(content, "utf8").digest("base64")}`).join(" ");
}

/** The three headers of one attempt. */
export function webhookHeaders(p: SignParameters): Record<string, string> {
  return {
    "webhook-id": p.id,
    "webhook-timestamp": String(p.timestamp),
    "webhook-signature": signatureHeader(p),
  };
}
