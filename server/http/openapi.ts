import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";
import { z } from "zod";
import { errorSchema } from "./schemas";

export type Method = "get" | "post" | "put" | "patch" | "delete";
export type Security = "adminToken" | "brandApiKey" | "deviceSignature";

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

/** One HTTP route: what express serves and what /openapi.json says, from the same declaration. */
export interface RouteDoc {
  method: Method;
  /** Express syntax, e.g. "/v1/stores/:storeId/events". */
  path: string;
  summary: string;
  tags: string[];
  security?: Security;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ResponseDoc>;
}

export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

/** Collects the relay's routes for the OpenAPI document. */
export class ApiDocs {
  readonly registry = new OpenAPIRegistry();
  readonly routes: { method: Method; path: string }[] = [];

  constructor() {
    this.registry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer", description: "RELAY_ADMIN_TOKEN" });
    this.registry.registerComponent("securitySchemes", "brandApiKey", { type: "http", scheme: "bearer", description: "a brand API key" });
    this.registry.registerComponent("securitySchemes", "deviceSignature", {
      type: "apiKey",
      in: "header",
      name: "X-Signature",
      description: "Ed25519 signature of the canonical request (with X-Device-Id and X-Timestamp): see docs/relay.md",
    });
  }

  add(doc: RouteDoc): void {
    this.routes.push({ method: doc.method, path: doc.path });
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(doc.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { [r.contentType ?? "application/json"]: { schema: r.schema } } }
        : { description: r.description };
    }
    responses["4XX"] = { description: "refused: see error.code", content: { "application/json": { schema: errorSchema } } };
    this.registry.registerPath({
      method: doc.method,
      path: toOpenApiPath(doc.path),
      summary: doc.summary,
      tags: doc.tags,
      security: doc.security ? [{ [doc.security]: [] }] : undefined,
      request: {
        params: doc.params,
        query: doc.query,
        headers: doc.headers,
        body: doc.body ? { required: true, content: { "application/json": { schema: doc.body } } } : undefined,
      },
      responses: responses as never,
    });
  }

  /** Registers a route served by a router that documents itself less precisely (e.g. the audit API). */
  addBare(method: Method, path: string, tags: string[], summary: string): void {
    this.add({ method, path, tags, summary, responses: { 200: { description: "OK" } } });
  }

  document(version: string): unknown {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: "3.1.0",
      info: {
        title: "Confiance relay",
        version,
        description: "Shop devices, customers' signed actions, staff stream, audit. Errors: { error: { code, message } }. See docs/relay.md.",
      },
    });
  }
}

export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

/** Declares a route on `router` (at `doc.path` relative to the router's mount point `base`) and in `docs`. */
export function defineRoute(router: Router, docs: ApiDocs, base: string, doc: Omit<RouteDoc, "path"> & { path: string }, ...handlers: Handler[]): void {
  const full = doc.path === "/" && base ? base : base + doc.path;
  docs.add({ ...doc, path: full });
  const tag: RequestHandler = (_req, res, next) => {
    res.locals.routePattern = full;
    next();
  };
  router[doc.method](doc.path, tag, ...(handlers as RequestHandler[]));
}

/** The routes of an express router (express 5 layer stack), for documenting a router built elsewhere. */
export function routesOf(router: Router): { method: Method; path: string }[] {
  const out: { method: Method; path: string }[] = [];
  const stack = (router as unknown as { stack: { route?: { path: unknown; methods: Record<string, boolean> } }[] }).stack;
  for (const layer of stack) {
    if (!layer.route || typeof layer.route.path !== "string") continue;
    for (const [m, on] of Object.entries(layer.route.methods)) {
      if (on && ["get", "post", "put", "patch", "delete"].includes(m)) out.push({ method: m as Method, path: layer.route.path });
    }
  }
  return out;
}
