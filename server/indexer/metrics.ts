import { Counter, Gauge, type Registry } from "prom-client";

/** The indexer's Prometheus metrics, registered once per registry. */
export interface IndexerMetrics {
  indexedBlock: Gauge;
  headBlock: Gauge;
  lag: Gauge;
  reorgs: Counter;
  reorgDepth: Gauge;
  events: Counter<"table">;
  rangeShrinks: Counter;
  rpcErrors: Counter<"kind">;
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, registers: [registry], aggregator: "max" });
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function indexerMetrics(registry: Registry): IndexerMetrics {
  return {
    indexedBlock: gauge(registry, "confiance_indexer_block", "Last block indexed (the cursor)"),
    headBlock: gauge(registry, "confiance_indexer_head_block", "Latest block seen at the endpoint"),
    lag: gauge(registry, "confiance_indexer_lag_blocks", "Head minus the indexed block"),
    reorgs: counter(registry, "confiance_indexer_reorgs_total", "Reorganisations detected and rewound"),
    reorgDepth: gauge(registry, "confiance_indexer_last_reorg_depth_blocks", "Blocks rewound by the last reorganisation"),
    events: counter(registry, "confiance_indexer_events_total", "Event rows stored, by table", ["table"]),
    rangeShrinks: counter(registry, "confiance_indexer_range_shrinks_total", "Times the endpoint refused a block range and it was halved"),
    rpcErrors: counter(registry, "confiance_indexer_rpc_errors_total", "Failed RPC steps, by kind (range, rate, other)", ["kind"]),
  };
}
