import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { checkEndpointUrl, refusalOf, type UrlPolicy } from "./urls";

/**
 * One POST of a signed event to an endpoint, with node:http(s) so that every address a host name
 * resolves to is checked against the URL policy at connection time, no redirect is ever followed, the
 * whole exchange has one deadline, and at most a short excerpt of the answer is read and kept.
 */
export interface SendParameters {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  policy: UrlPolicy;
}

export interface SendOutcome {
  /** 2xx. */
  ok: boolean;
  statusCode?: number;
  /** Why the attempt failed without a usable answer (or with a redirect). */
  error?: string;
  durationMs: number;
  /** The answer's first bytes, as text. */
  excerpt?: string;
}

/** Bytes of the answer kept in the delivery log. */
export const EXCERPT_BYTES = 256;
/** Bytes read before the connection is dropped instead of reused. */
const DRAIN_BYTES = 64 * 1024;

class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

/** dns.lookup that refuses the host when any of its addresses is refused by the policy. */
export function guardedLookup(policy: UrlPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const refusal = refusalOf(a.address, policy);
        if (refusal) return callback(new RefusedAddressError(`${hostname} resolves to ${refusal}`));
      }
      if (!list.length) return callback(new Error(`${hostname} has no address`));
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  }) as net.LookupFunction;
}

const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, policy: UrlPolicy): http.Agent {
  const key = `${protocol}${policy.allowLoopback}${policy.allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 4, lookup: guardedLookup(policy) };
    agent = protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

function describe(err: Error & { code?: string }): string {
  if (err instanceof RefusedAddressError) return `refused address: ${err.message}`;
  return err.code ? `${err.code}: ${err.message}`.slice(0, 300) : err.message.slice(0, 300);
}

/** Sends one attempt; never throws (every failure is an outcome). */
export function sendWebhook(p: SendParameters): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = checkEndpointUrl(p.url, p.policy);
  } catch (err) {
    return Promise.resolve({ ok: false, error: `refused URL: ${(err as Error).message}`, durationMs: 0 });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<SendOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, durationMs: elapsed() });
    };
    const body = Buffer.from(p.body, "utf8");
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      agent: agentFor(url.protocol, p.policy),
      headers: {
        ...p.headers,
        "content-type": "application/json",
        "content-length": String(body.length),
        "user-agent": "Confiance-Webhooks/1",
      },
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no complete answer within ${p.timeoutMs} ms`));
      finish({ ok: false, error: `timeout: no complete answer within ${p.timeoutMs} ms` });
    }, p.timeoutMs);
    request.on("error", (err) => finish({ ok: false, error: describe(err) }));
    request.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/g, "");
        const base = { statusCode: status, excerpt: excerpt || undefined };
        if (status >= 200 && status < 300) finish({ ok: true, ...base });
        else if (status >= 300 && status < 400) finish({ ok: false, ...base, error: `redirect to ${String(res.headers.location ?? "nowhere").slice(0, 200)} not followed` });
        else finish({ ok: false, ...base });
      };
      res.on("data", (chunk: Buffer) => {
        if (read < EXCERPT_BYTES) chunks.push(chunk);
        read += chunk.length;
        if (read > DRAIN_BYTES) {
          res.destroy();
          done();
        }
      });
      res.on("end", done);
      res.on("error", (err) => finish({ ok: false, statusCode: status, error: describe(err) }));
    });
    request.end(body);
  });
}
