// The local chain lives in scripts/lib (the demo and the benchmarks use it too).
export * from "../../scripts/lib/localChain";
