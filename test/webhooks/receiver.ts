import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A brand's webhook receiver for the tests: a real HTTP server on a loopback port that records every
 * request in arrival order, answers as the test says (status, delay), and can go down (the port closed:
 * connections refused) and come back on the same port.
 *
 * `verifyStandardWebhook` is written here from the Standard Webhooks specification alone (it shares no
 * code with the relay): the secret is `whsec_` + base64 of the key; the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`; `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256>`, any one of which may match; the timestamp must be within a tolerance.
 */
export interface Received {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  path: string;
  at: number;
}

export function verifyStandardWebhook(secret: string, r: Pick<Received, "id" | "timestamp" | "signature" | "body">, toleranceSeconds = 300, now = Date.now() / 1000): boolean {
  if (!secret.startsWith("whsec_")) return false;
  if (Math.abs(now - r.timestamp) > toleranceSeconds) return false;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = crypto.createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(" ").some((part) => {
    const [version, sig] = part.split(",");
    if (version !== "v1" || !sig) return false;
    const given = Buffer.from(sig, "base64");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status answered and delay before answering (per path, else `status` and `delayMs`). */
  status = 200;
  statusByPath = new Map<string, number>();
  delayMs = 0;
  delayByPath = new Map<string, number>();
  private server: http.Server | undefined;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  private constructor(public port: number) {}

  static async start(port = 0): Promise<Receiver> {
    const r = new Receiver(port);
    await r.up();
    return r;
  }

  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async up(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const path = req.url ?? "/";
        const answer = () => {
          const status = this.statusByPath.get(path) ?? this.status;
          if (status >= 200 && status < 300) {
            this.received.push({
              id: String(req.headers["webhook-id"]),
              timestamp: Number(req.headers["webhook-timestamp"]),
              signature: String(req.headers["webhook-signature"]),
              body,
              json: JSON.parse(body),
              path,
              at: Date.now(),
            });
          }
          res.writeHead(status, { "content-type": "text/plain" });
          res.end(status >= 200 && status < 300 ? "ok" : `refused with ${status}`);
          this.notify();
        };
        const delay = this.delayByPath.get(path) ?? this.delayMs;
        if (delay > 0) setTimeout(answer, delay);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port (and every open connection): the relay's requests are refused until `up`. */
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }

  /** The requests accepted (2xx) at `path`, in arrival order. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Resolves once `check` holds (checked at each accepted request), or fails after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        check,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`receiver: timed out waiting for ${what} (${this.received.length} received)`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }
}
