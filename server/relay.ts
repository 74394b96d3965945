import { parseEther } from "viem";
import type { AddressInfo } from "node:net";
import http, { type Server } from "node:http";
import express, { type Express, type Response } from "express";
import type { RelayDeps, Service } from "./deps";
import { startSubmitter } from "./chain/submitter";
import { accessLog } from "./http/accessLog";
import { loadSigners } from "./chain/signers";
import { startIndexer, type Indexer } from "./indexer";
import { auditRouter } from "./audit/routes";
import { adminRouter } from "./brands/adminRoutes";
import { pruneRetained, tableSizeMetrics } from "./store/retention";
import { vacuumPglite } from "./store/vacuum";
import { brandRouter } from "./brands/brandRoutes";
import { brandConsentRouter } from "./consent/brandConsentRoutes";
import { StoreEventBus } from "./devices/bus";
import { PgStoreEventBus } from "./devices/pgBus";
import { deviceEventsRouter } from "./devices/eventRoutes";
import { customerActionsRouter } from "./customers/actions";
import { cardsRouter } from "./customers/cards";
import { personalRouter } from "./personal/routes";
import { pruneDisplayNames } from "./personal/displayNames";
import { customerReadsRouter } from "./customers/reads";
import { noticesRouter } from "./notices/routes";
import { receiptsRouter } from "./receipts/routes";
import { dataRequestsRouter } from "./dataRequests/routes";
import { locals, type HttpContext } from "./http/context";
import { errorHandler, HttpError, notFound } from "./http/errors";
import { healthRouter, type IndexerStatus } from "./http/health";
import { SignerBalances } from "./chain/balances";
import { createHttpMetrics, requestMetrics } from "./http/metrics";
import { createRateLimits } from "./http/rateLimits";
import { StaffStreams } from "./devices/staffStreams";
import { ApiDocs, routesOf, toOpenApiPath } from "./http/openapi";
import { discoveryRouter, publicRpcUrl } from "./http/discovery";
import { webAppRouter, type WebAppOptions } from "./http/webApp";
import { startWebhooks, webhooksRouter } from "./webhooks";
import { checkChainIdentity } from "./startup/chainIdentity";
import { setChainTimeCache } from "./chain/clock";
import { startLoyalty } from "./loyalty/issuer";
import { loyaltyBrandRouter, quoteRouter, reportRouter } from "./loyalty/routes";

export const RELAY_VERSION = "0.1.0";

/** The relay cannot start as configured (no signer key and not read-only). */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface RelayOptions {
  /** Run the chain submitter (default true). */
  submitter?: boolean;
  /** Run the indexer (default true). */
  indexer?: boolean;
  /** Run the loyalty loop: pending points whose return window closed, rewards for consent (default true). */
  loyalty?: boolean;
  /** Serve the built web app from this folder at `/` and the rooms' paths (default: no app). */
  web?: Pick<WebAppOptions, "dir">;
  /** What GET /metrics answers (default: this process's registry; RELAY_WORKERS > 1: every worker's, from the primary). */
  metrics?: () => Promise<string>;
}

export interface Relay {
  app: Express;
  docs: ApiDocs;
  bus: StoreEventBus;
  /** The running indexer (unless disabled). */
  indexer?: Indexer;
  /** Serves the app on `port` (0: any free port) and `host`; resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting requests, ends staff streams, then stops the submitter and the indexer. */
  stop(): Promise<void>;
}

/**
 * The relay: the express app (devices, brands, customers, audit, health, metrics, OpenAPI) and its
 * background parts (chain submitter, indexer), all built from the same RelayDeps.
 */
export async function createRelay(deps: RelayDeps, options: RelayOptions = {}): Promise<Relay> {
  const log = deps.logger.child({ component: "http" });
  const signers = await loadSigners(deps.config).then(
    (s) => s.addresses,
    (err: Error) => {
      // Without a key every queued action would wait for ever: only a read-only relay may start so.
      if (!deps.config.READ_ONLY) throw new StartupError(`${err.message}; or set READ_ONLY=true to serve reads only`);
      log.warn({ err: { name: err.name, message: err.message } }, "READ_ONLY: no relay signer keys, nothing is sent to the chain");
      return undefined;
    },
  );
  const signerAddresses = signers?.map((a) => a.toLowerCase());
  const balances = signers?.length
    ? new SignerBalances({ client: deps.chain.client, addresses: signers, lowWei: parseEther(deps.config.SIGNER_LOW_BALANCE_ETH), registry: deps.registry })
    : undefined;
  setChainTimeCache(deps.config.CHAIN_CACHE_MS);
  await checkChainIdentity({ db: deps.db, chain: deps.chain, reset: deps.config.RESET_ON_CHAIN_CHANGE, log });
  const docs = new ApiDocs();
  // One instance: in-process fan-out. PostgreSQL: LISTEN/NOTIFY, so any instance's streams see any instance's events.
  const bus = deps.db.kind === "postgres" && deps.config.DATABASE_URL ? await PgStoreEventBus.start(deps.config.DATABASE_URL, deps.db, log) : new StoreEventBus();
  const streams = new StaffStreams({ perBrand: deps.config.STREAMS_PER_BRAND, total: deps.config.STREAMS_TOTAL });
  const ctx: HttpContext = { deps, docs, metrics: createHttpMetrics(deps.registry), bus, streams, signerAddresses };
  const stopControl = bus.onControl((order) => {
    const ended = streams.endBrand(order.endStreamsOf);
    if (ended > 0) log.info({ brand: order.endStreamsOf, ended }, "staff streams ended");
  });
  const limits = createRateLimits(deps.config, ctx.metrics.rateLimited);

  let indexer: Indexer | undefined;
  const indexerStatus: (() => Promise<IndexerStatus>) | undefined = options.indexer === false ? undefined : () => indexer!.status();

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(accessLog(log));
  app.use(requestMetrics(ctx.metrics));
  // Request rates, before the body is read and before any signature, key, database or chain work.
  app.use("/v1", limits.v1);
  app.use("/v1/audit", limits.audit);
  app.use((req, _res, next) => {
    const empty = req.headers["content-length"] === "0" && req.headers["transfer-encoding"] === undefined;
    if (["POST", "PUT", "PATCH"].includes(req.method) && !empty && req.is("application/json") === false) {
      throw new HttpError(415, "unsupported_media_type", "send the body as Content-Type: application/json");
    }
    next();
  });
  app.use(
    express.json({
      limit: deps.config.BODY_LIMIT,
      type: "application/json",
      verify: (_req, res, buf) => {
        locals(res as Response).rawBody = Buffer.from(buf);
      },
    }),
  );

  if (deps.config.READ_ONLY) {
    // Nothing is sent to the chain: every request that would queue a transaction is refused up front.
    app.use("/v1", (req, _res, next) => {
      if (req.method === "POST" && /^\/(consents|points)\/|^\/stores\/[^/]+\/events$/.test(req.path)) {
        throw new HttpError(503, "read_only", "this relay serves reads only (READ_ONLY): it sends nothing to the chain");
      }
      next();
    });
  }
  // The hot path first: shop devices' events do not walk past every other router.
  app.use("/v1", deviceEventsRouter(ctx));
  app.use(healthRouter(ctx, indexerStatus, balances));
  docs.add({ method: "get", path: "/metrics", tags: ["operations"], summary: "Prometheus metrics", responses: { 200: { description: "text exposition format" } } });
  const metricsText = options.metrics ?? (() => deps.registry.metrics());
  app.get("/metrics", async (_req, res) => {
    res.setHeader("Content-Type", deps.registry.contentType);
    res.send(await metricsText());
  });
  docs.add({ method: "get", path: "/openapi.json", tags: ["operations"], summary: "This description", responses: { 200: { description: "OpenAPI 3.1 document" } } });
  let openapi: unknown;
  app.get("/openapi.json", (_req, res) => {
    openapi ??= docs.document(RELAY_VERSION);
    res.json(openapi);
  });

  app.use("/v1/admin", reportRouter(ctx));
  app.use("/v1/admin", adminRouter(ctx));
  app.use("/v1/brand", brandRouter(ctx));
  app.use("/v1/brand", brandConsentRouter(ctx));
  app.use("/v1/brand/webhooks", webhooksRouter(ctx));
  app.use("/v1/brand", loyaltyBrandRouter(ctx));
  app.use("/v1", discoveryRouter(ctx));
  app.use("/v1", quoteRouter(ctx));
  app.use("/v1", customerActionsRouter(ctx));
  app.use("/v1", cardsRouter(ctx));
  app.use("/v1", personalRouter(ctx));
  app.use("/v1", customerReadsRouter(ctx));
  app.use("/v1", noticesRouter(ctx));
  app.use("/v1", receiptsRouter(ctx));
  app.use("/v1", dataRequestsRouter(ctx));
  const audit = auditRouter(deps);
  for (const r of routesOf(audit)) docs.addBare(r.method, `/v1/audit${r.path === "/" ? "" : r.path}`, ["audit"], `Audit: ${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`);
  app.use("/v1/audit", audit);
  if (options.web) app.use(webAppRouter({ dir: options.web.dir, rpcUrl: publicRpcUrl(deps.config, deps.chain.rpcUrl) ?? undefined }));
  app.use(notFound);
  app.use(errorHandler);

  // The background parts start once the app is built.
  const services: Service[] = [];
  if (options.indexer !== false) {
    indexer = startIndexer(deps);
    services.push(indexer);
  }
  if (options.submitter !== false && !deps.config.READ_ONLY) services.push(startSubmitter(deps));
  services.push(startWebhooks(deps));
  if (options.loyalty !== false) services.push(startLoyalty(deps));

  tableSizeMetrics(deps.registry, deps.db);
  const prune = setInterval(() => {
    pruneRetained(deps.db, deps.config).then(
      (pruned) => log.info({ pruned }, "retention pass"),
      (err: Error) => log.warn({ err: { name: err.name, message: err.message } }, "retention pass failed"),
    );
  }, deps.config.RETENTION_PRUNE_INTERVAL_MS);
  prune.unref();
  // PGlite runs no autovacuum: a pass of its own, never two at once (PostgreSQL vacuums by itself).
  let vacuuming = false;
  const vacuum =
    deps.db.kind === "pglite" && deps.config.PGLITE_VACUUM_INTERVAL_MS > 0
      ? setInterval(() => {
          if (vacuuming) return;
          vacuuming = true;
          vacuumPglite(deps.db)
            .then(
              (pass) => {
                if (pass.vacuumed.length + pass.analyzed.length > 0) log.debug(pass, "PGlite vacuum pass");
              },
              (err: Error) => log.warn({ err: { name: err.name, message: err.message } }, "PGlite vacuum pass failed"),
            )
            .finally(() => (vacuuming = false));
        }, deps.config.PGLITE_VACUUM_INTERVAL_MS)
      : undefined;
  vacuum?.unref();
  // A display name lives only while in-store recognition is granted: consents that ended on chain (expiry, a direct revocation) are caught here.
  const pruneNames = setInterval(() => {
    pruneDisplayNames(deps.db).catch((err: Error) => log.warn({ err: { message: err.message } }, "pruning display names failed"));
  }, 60_000);
  pruneNames.unref();

  let server: Server | undefined;
  return {
    app,
    docs,
    bus: ctx.bus,
    indexer,
    listen(port = deps.config.PORT, host = deps.config.HOST) {
      return new Promise((resolve, reject) => {
        const c = deps.config;
        // Slow clients: headers within HEADERS_TIMEOUT_MS, the whole request within REQUEST_TIMEOUT_MS
        // (checked every second), at most MAX_CONNECTIONS sockets at once.
        const s = http.createServer({ headersTimeout: c.HEADERS_TIMEOUT_MS, requestTimeout: c.REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, app);
        s.maxConnections = c.MAX_CONNECTIONS;
        s.once("error", reject);
        s.listen(port, host, () => {
          const addr = s.address() as AddressInfo;
          resolve(`http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`);
        });
        server = s;
      });
    },
    async stop() {
      clearInterval(prune);
      clearInterval(pruneNames);
      clearInterval(vacuum);
      stopControl();
      streams.endAll();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      await Promise.all(services.map((s) => s.stop()));
      await bus.stop();
    },
  };
}

