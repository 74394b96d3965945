import fs from "node:fs";
import path from "node:path";
import express, { Router, type Response } from "express";

/** The rooms of the web app; each answers index.html at its path and every sub-path (client-side routes). */
export const WEB_ROOMS = ["/", "/staff", "/brand", "/audit", "/coalition"] as const;

export interface WebAppOptions {
  /** The built app (`npm run build:web` writes web/dist): index.html, assets/ with hashed names, public files. */
  dir: string;
  /**
   * The JSON-RPC URL the app's pages read the chain from (GET /v1/config `rpcUrl`); its origin is added to
   * the Content-Security-Policy's connect-src.
   */
  rpcUrl?: string;
}

/**
 * The Content-Security-Policy of the app's pages: scripts, styles, fonts and frames from the relay only
 * (no inline script, no eval), images also as data: URLs (wallet icons announced by EIP-6963), and
 * connections to the relay, the chain's RPC endpoint, any https/wss endpoint and loopback HTTP (the
 * auditor's page reads a JSON-RPC endpoint the auditor names). Nothing may frame the app.
 */
export function contentSecurityPolicy(rpcUrl?: string): string {
  const connect = ["'self'", "https:", "wss:", "http://127.0.0.1:*", "http://localhost:*"];
  if (rpcUrl) {
    const origin = new URL(rpcUrl).origin;
    if (!connect.includes(origin)) connect.push(origin);
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.join(" ")}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Whether `dir` holds a built app. */
export function isWebAppBuilt(dir: string): boolean {
  return fs.existsSync(path.join(dir, "index.html"));
}

/**
 * Serves the built single-page app: `/assets/*` (content-hashed names) cached for a year as immutable,
 * other public files revalidated, and index.html, never cached, at each room and its sub-paths, with
 * the Content-Security-Policy. Anything else falls through (the API's JSON 404 under /v1 and elsewhere).
 * index.html is read once: a rebuild takes a relay restart.
 */
export function webAppRouter(options: WebAppOptions): Router {
  const index = fs.readFileSync(path.join(options.dir, "index.html"));
  const csp = contentSecurityPolicy(options.rpcUrl);
  const router = Router();
  const pageHeaders = (res: Response) => {
    res.setHeader("Content-Security-Policy", csp);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
  };
  router.use(
    "/assets",
    express.static(path.join(options.dir, "assets"), {
      index: false,
      redirect: false,
      immutable: true,
      maxAge: "365d",
      setHeaders: (res) => {
        (res as Response).locals.routePattern = "/assets/*";
        res.setHeader("X-Content-Type-Options", "nosniff");
      },
    }),
  );
  const page = (_req: unknown, res: Response) => {
    res.locals.routePattern = "(web app page)";
    pageHeaders(res);
    res.setHeader("Cache-Control", "no-cache");
    res.type("html").send(index);
  };
  router.get("/", page);
  for (const room of WEB_ROOMS.filter((r) => r !== "/")) router.get([room, `${room}/*rest`], page);
  router.use(
    express.static(options.dir, {
      index: false,
      redirect: false,
      dotfiles: "ignore",
      cacheControl: false,
      setHeaders: (res, file) => {
        (res as Response).locals.routePattern = "(web app file)";
        if (path.basename(file) === "index.html") pageHeaders(res);
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Content-Type-Options", "nosniff");
      },
    }),
  );
  return router;
}
