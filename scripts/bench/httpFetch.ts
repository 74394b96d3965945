import http from "node:http";

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for the benchmarks' load generators on node:http with kept-alive connections: with the platform's
 * fetch (undici, WHATWG streams) the bench process spent 0.71 ms of CPU per purchase, with this 0.47 ms, on the
 * cores it shares with the relay (purchasesMain.ts). Enough of fetch for the client module's requests: method,
 * headers, a string body, the answer's status, headers and text. Plain HTTP only (the relay on loopback).
 */
export function httpFetch(maxSockets: number): typeof fetch {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      if (url.protocol !== "http:") return reject(new TypeError(`httpFetch sends plain HTTP only, not ${url.protocol}`));
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== "string") return reject(new TypeError("httpFetch sends string bodies only"));
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      if (body) headers["content-length"] = String(Buffer.byteLength(body));
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: init?.method ?? "GET",
          path: `${url.pathname}${url.search}`,
          headers,
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            const answer = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks).toString("utf8"), {
                status,
                statusText: res.statusMessage ?? "",
                headers: answer,
              }),
            );
          });
        },
      );
      req.on("error", reject);
      req.end(body ?? undefined);
    });
}
