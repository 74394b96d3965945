import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import express, { type RequestHandler, type Response } from "express";
import { stdSerializers, type Level, type Logger } from "pino";
import { locals } from "./context";

declare module "node:http" {
  interface IncomingMessage {
    /** The request's id (X-Request-Id): the one the client sent when well formed, else a new UUID. */
    id?: string;
    /** A logger whose lines carry the request (`req`: id, method, path), made on first use (express requests that went through accessLog). */
    log: Logger;
  }
}

/** What a log line says of a request: its id, method and path, never headers (API keys, signatures) or bodies (personal data). */
export function requestFields(req: IncomingMessage & { originalUrl?: string }): { id: string | undefined; method: string | undefined; path: string } {
  // The path as sent (express's routers strip their mount path from req.url on the way). Wallet addresses in
  // paths (pseudonymous personal data) are not kept: each becomes `0x…`.
  return { id: req.id, method: req.method, path: (req.originalUrl ?? req.url ?? "").split("?")[0]!.replace(/0x[0-9a-fA-F]{40}/g, "0x…") };
}

const BASE = Symbol("accessLog.logger");
const CHILD = Symbol("accessLog.child");
type Logged = IncomingMessage & { [BASE]?: Logger; [CHILD]?: Logger };

// `req.log` on express's request prototype (where express lets an app add to every request): the child
// logger is made on first use, from the logger accessLog left on the request.
Object.defineProperty(express.request, "log", {
  configurable: true,
  get(this: Logged): Logger | undefined {
    return (this[CHILD] ??= this[BASE]?.child({ req: requestFields(this) }));
  },
});

/**
 * One line per request once it is answered (or its connection closed first), at info, warn for a 4xx, error
 * for a 5xx or a failed response: `req` (requestFields), `res.status`, `responseTime` in ms, and the route's
 * own facts (`res.locals.logFields`: a device event's id, kind and outcome); "request completed", "request
 * aborted" or "request errored" (with `err`). Every answer carries X-Request-Id. The lines are pino-http's;
 * unlike pino-http, nothing is built for a request whose line the level leaves out (it made a child logger
 * and serialised the request for every one: about a tenth of the relay's CPU per device event, in the
 * events benchmark with LOG_LEVEL=warn); `req.log` is made when a route first logs.
 */
export function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    req.id = typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    res.setHeader("X-Request-Id", req.id);
    (req as Logged)[BASE] = log;
    const started = Date.now();
    const done = (err?: Error) => {
      res.removeListener("finish", done);
      res.removeListener("close", done);
      res.removeListener("error", done);
      const failed = err !== undefined || res.statusCode >= 500;
      const level: Level = failed ? "error" : res.statusCode >= 400 ? "warn" : "info";
      if (!log.isLevelEnabled(level)) return;
      const line = { res: { status: res.statusCode }, responseTime: Date.now() - started };
      if (failed) {
        req.log[level]({ ...line, err: stdSerializers.err(err ?? new Error(`failed with status code ${res.statusCode}`)) }, "request errored");
      } else {
        req.log[level]({ ...line, ...locals(res as Response).logFields }, res.writableEnded ? "request completed" : "request aborted");
      }
    };
    res.on("finish", done);
    res.on("close", done);
    res.on("error", done);
    next();
  };
}
