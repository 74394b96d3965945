/**
 * How much work each benchmark does. BENCH_QUICK=1 runs a small version (development, CI smoke);
 * the default is the full run reported in docs/BENCHMARKS.md. Every count is bounded.
 */
export interface BenchSettings {
  quick: boolean;
  runs: number;
  /** Requests per autocannon run, per concurrency level. */
  eventRequests: Record<number, number>;
  concurrency: readonly number[];
  purchasesBatched: number;
  purchasesUnbatched: number;
  purchaseClients: number;
  latencySamples: number;
  consentChecks: number;
  consentRows: number;
  customers: number;
  /** Purchases queued per drain run (the chain side alone), and how many drain runs. */
  drainPurchases: number;
  drainRuns: number;
  /** Two relays on one PostgreSQL: device events and purchases in all (half through each). */
  twoRelayEvents: number;
  twoRelayPurchases: number;
  twoRelayClients: number;
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  return quick
    ? {
        quick,
        runs: 2,
        eventRequests: { 1: 100, 8: 200, 64: 256 },
        concurrency: [1, 8, 64],
        purchasesBatched: 60,
        purchasesUnbatched: 30,
        purchaseClients: 8,
        latencySamples: 30,
        consentChecks: 500,
        consentRows: 2_000,
        customers: 16,
        drainPurchases: 700,
        drainRuns: 1,
        twoRelayEvents: 512,
        twoRelayPurchases: 200,
        twoRelayClients: 16,
      }
    : {
        quick,
        runs: 5,
        // Runs of a few seconds at least: shorter ones measure the ramp up and the last requests in flight.
        eventRequests: { 1: 300, 8: 1_200, 64: 3_000 },
        concurrency: [1, 8, 64],
        // Runs of a few seconds, as for device events: at about 1,000/s, runs of 1,000 purchases measured the first
        // transaction's wait and the last one's confirmation as much as the rate.
        purchasesBatched: 3_000,
        purchasesUnbatched: 120,
        purchaseClients: 64,
        latencySamples: 100,
        consentChecks: 3_000,
        consentRows: 20_000,
        customers: 64,
        drainPurchases: 1_500,
        drainRuns: 2,
        twoRelayEvents: 2_000,
        twoRelayPurchases: 600,
        twoRelayClients: 64,
      };
}

/** Relay settings for the in-process chain (mines each transaction at once, cannot reorganise). */
export const RELAY_ENV: Record<string, string> = {
  INDEXER_CONFIRMATIONS: "0",
  INDEXER_POLL_MS: "100",
  CONFIRMATIONS: "1",
  SUBMITTER_POLL_MS: "50",
  // The load comes from one machine through few devices: the per-client and per-device limits would measure themselves.
  RATE_LIMIT_PER_CLIENT: "100000000",
  RATE_LIMIT_PER_DEVICE: "100000000",
  RATE_LIMIT_PER_API_KEY: "100000000",
  CUSTOMER_ACTIONS_PER_CLIENT: "0",
};

/** The databases the relay figures are measured on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function benchDatabases(env: NodeJS.ProcessEnv = process.env): ({ kind: "pglite" } | { kind: "postgres"; url: string })[] {
  return env.DATABASE_URL ? [{ kind: "pglite" }, { kind: "postgres", url: env.DATABASE_URL }] : [{ kind: "pglite" }];
}
