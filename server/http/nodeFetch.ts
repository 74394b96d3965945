import http from "node:http";
import https from "node:https";
import { ResponseBodyTooLargeError } from "viem";

/** The largest answer read, bytes: viem's own limit (maxResponseBodySize), which it can only check once the answer is read here. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** How long a kept-alive connection may stay idle, ms. */
const IDLE_MS = 4_000;

/** Statuses whose responses carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export class NodeFetchError extends TypeError {
  override name = "NodeFetchError";
}

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` on node:http or node:https with kept-alive connections (at most `maxSockets` per endpoint),
 * answering with the whole body already read: the relay's JSON-RPC transport (viem's `http(url, { fetchFn })`)
 * and the benchmarks' tills (the client module's `fetch`) use it. Both read an answer's status, headers and
 * text only; the platform's fetch (undici) builds web streams around every answer, which cost more CPU than
 * the JSON they carry: the relay's CPU per purchase fell from 2.71 to 2.29 ms with it (purchase benchmark,
 * PostgreSQL). The request's signal aborts it (viem's timeout); the body is a string; an answer larger
 * than `maxBodyBytes` (viem's default limit) is refused as it arrives. No redirects are followed and no
 * compression is asked for: a JSON-RPC endpoint and the relay need neither.
 */
export function nodeFetch(maxSockets = 16, maxBodyBytes = MAX_BODY_BYTES): FetchFn {
  // An idle connection is closed after 4 s, or a second before the server says it will close it (a
  // `Keep-Alive: timeout=` answer header; node's agent honours it only with a timeout of its own): so a
  // request is not sent on a connection the server is closing at that moment (ECONNRESET).
  const options = { keepAlive: true, maxSockets, timeout: IDLE_MS };
  const agents = { "http:": new http.Agent(options), "https:": new https.Agent(options) };
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      if (url.protocol !== "http:" && url.protocol !== "https:") return reject(new NodeFetchError(`nodeFetch sends http: and https: only, not ${url.protocol}`));
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== "string") return reject(new NodeFetchError("nodeFetch sends string bodies only"));
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      if (body) headers["content-length"] = String(Buffer.byteLength(body));
      const req = (url.protocol === "https:" ? https : http).request(
        url,
        { agent: agents[url.protocol], method: init?.method ?? "GET", headers, signal: init?.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > maxBodyBytes) {
              res.destroy();
              // viem's own error for it, as when it reads a streamed answer itself.
              return reject(new ResponseBodyTooLargeError({ maxSize: maxBodyBytes, size }));
            }
            chunks.push(c);
          });
          res.on("error", reject);
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            const answer = new Headers();
            for (const [name, value] of Object.entries(res.headers)) for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
            const text = NULL_BODY.has(status) ? "" : Buffer.concat(chunks).toString("utf8");
            resolve(readAnswer(status, res.statusMessage ?? "", answer, text));
          });
        },
      );
      req.on("error", reject);
      req.end(body ?? undefined);
    });
}

/**
 * An answer already read: what viem's transport and the client module use of a Response (status, ok,
 * statusText, headers, text, json), with no body stream (`body: null`, which viem reads through text()).
 */
function readAnswer(status: number, statusText: string, headers: Headers, text: string): Response {
  const answer = {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers,
    body: null,
    bodyUsed: false,
    redirected: false,
    type: "basic",
    url: "",
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  };
  return answer as unknown as Response;
}
