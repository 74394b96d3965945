import crypto from "node:crypto";
import type { Request, RequestHandler } from "express";
import { ipKeyGenerator, MemoryStore, type Options } from "express-rate-limit";
import type { Counter } from "prom-client";
import type { Env } from "../config";
import { bearerToken } from "../brands/apiKeys";
import { HttpError } from "./errors";

/** Which counter refused a request (the `limit` label of relay_rate_limited_total). */
export type RateLimitName = "client" | "device" | "api_key" | "audit";

export interface RateLimits {
  /**
   * Every /v1 request: per client address; per device id and client address when it names an X-Device-Id
   * (before its signature is checked: requests that only claim a device's id, from anywhere else, cannot use
   * up that device's share); per bearer token (hashed) when it has one, before the token is looked up.
   */
  v1: RequestHandler;
  /** The audit routes, per client address (on top of the /v1 limits). */
  audit: RequestHandler;
}

/** The client's address as the socket saw it (no proxy headers are trusted), IPv6 grouped by /56. */
export function clientKey(req: Request): string {
  return ipKeyGenerator(req.socket.remoteAddress ?? "unknown");
}

interface Limiter {
  name: RateLimitName;
  limit: number;
  /** express-rate-limit's fixed-window counters, kept in this instance's memory. */
  store: MemoryStore;
  /** The request's key for this limit; undefined when the limit does not apply to it. */
  key(req: Request): string | undefined;
}

/**
 * The relay's request rate limits, each a fixed window of RATE_LIMIT_WINDOW_MS counted in this
 * instance's memory (several instances each count their own share). They run before the body is parsed,
 * before any signature check, database read or chain call, so a refused request costs the relay almost
 * nothing. Each response carries a `RateLimit` and a `RateLimit-Policy` header (IETF draft 8 fields) per limit
 * that applied. Beyond a limit: 429 `rate_limited` with Retry-After (seconds), after RATE_LIMIT_DELAY_MS.
 *
 * The counting is express-rate-limit's own store; the limits that apply to a request are counted in one
 * middleware, in order, stopping at the first one exceeded (as a chain of express-rate-limit middlewares
 * would): their middleware cost a sixth of the device-event throughput (bench: eventsOnly), mostly per-request
 * work these limits do not need (debug logging, a hash per header, awaits per option).
 */
export function createRateLimits(config: Env, refused: Counter<"limit">): RateLimits {
  const limiter = (name: RateLimitName, limit: number, key: Limiter["key"]): Limiter => {
    const store = new MemoryStore();
    store.init({ windowMs: config.RATE_LIMIT_WINDOW_MS } as Options);
    return { name, limit, store, key };
  };
  const hashed = (v: string) => crypto.createHash("sha256").update(v).digest("base64url");
  const v1 = [
    limiter("client", config.RATE_LIMIT_PER_CLIENT, clientKey),
    limiter("device", config.RATE_LIMIT_PER_DEVICE, (req) => {
      const id = req.headers["x-device-id"];
      return typeof id === "string" && id.length > 0 ? `device:${hashed(id)}:${clientKey(req)}` : undefined;
    }),
    limiter("api_key", config.RATE_LIMIT_PER_API_KEY, (req) => {
      const token = bearerToken(req.headers.authorization);
      return token ? `key:${hashed(token)}` : undefined;
    }),
  ];
  return { v1: middleware(v1, config, refused), audit: middleware([limiter("audit", config.RATE_LIMIT_AUDIT_PER_CLIENT, clientKey)], config, refused) };
}

function middleware(limiters: readonly Limiter[], config: Env, refused: Counter<"limit">): RequestHandler {
  const windowSeconds = Math.ceil(config.RATE_LIMIT_WINDOW_MS / 1000);
  return async (req, res, next) => {
    const state: string[] = [];
    const policy: string[] = [];
    let over: { limiter: Limiter; seconds: number } | undefined;
    for (const l of limiters) {
      const key = l.key(req);
      if (key === undefined) continue;
      const { totalHits, resetTime } = await l.store.increment(key);
      const seconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : windowSeconds;
      state.push(`"${l.name}"; r=${Math.max(l.limit - totalHits, 0)}; t=${seconds}`);
      policy.push(`"${l.name}"; q=${l.limit}; w=${windowSeconds}`);
      if (totalHits > l.limit) {
        over = { limiter: l, seconds: Math.max(1, seconds) };
        break;
      }
    }
    if (state.length > 0) {
      res.append("RateLimit", state.join(", "));
      res.append("RateLimit-Policy", policy.join(", "));
    }
    if (!over) return next();
    const { limiter: l, seconds } = over;
    refused.inc({ limit: l.name });
    res.setHeader("Retry-After", String(seconds));
    const refusal = new HttpError(429, "rate_limited", `too many requests (${l.name} limit ${l.limit} per ${windowSeconds}s): retry after ${seconds}s`);
    // The refusal is answered after RATE_LIMIT_DELAY_MS: a client past its limit gets at most one answer
    // per connection per delay, so hammering costs the relay a timer, not its event loop.
    if (config.RATE_LIMIT_DELAY_MS > 0) setTimeout(() => next(refusal), config.RATE_LIMIT_DELAY_MS).unref();
    else next(refusal);
  };
}
