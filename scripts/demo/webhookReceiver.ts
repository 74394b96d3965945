import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One webhook request as the brand's system received it. */
export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * A brand's small webhook receiver for the demo: an HTTP server on loopback that answers 204 and keeps each
 * request. `verify` checks a request as the Standard Webhooks specification says (HMAC-SHA256 with the
 * base64 key after `whsec_`, over `id.timestamp.body`; any `v1,` signature of the list may match).
 */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  verify(secret: string, r: ReceivedWebhook): boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        const json = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        received.push({
          id: String(req.headers["webhook-id"]),
          timestamp: Number(req.headers["webhook-timestamp"]),
          signature: String(req.headers["webhook-signature"]),
          body,
          type: json.type,
          data: json.data,
        });
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/confiance`,
    received,
    verify(secret, r) {
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      const expected = crypto.createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
      return r.signature.split(" ").some((part) => {
        const [version, sig] = part.split(",");
        const given = Buffer.from(sig ?? "", "base64");
        return version === "v1" && given.length === expected.length && crypto.timingSafeEqual(given, expected);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
