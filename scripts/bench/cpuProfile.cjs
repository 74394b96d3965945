/**
 * Preloaded into the relay child (NODE_OPTIONS=-r, since --cpu-prof is not allowed there) by
 * scripts/bench/eventsOnly.ts when PROFILE=dir: profiles the whole process with the inspector and writes
 * dir/relay-<pid>.cpuprofile when it exits (chrome devtools, or `npx ts-node --transpile-only scripts/bench/profile.ts FILE`).
 * Node preloads it into worker threads too (PGlite's): each profiles its own thread and writes
 * dir/relay-<pid>-thread<id>.cpuprofile when the thread ends (a thread stopped by terminate() writes none).
 */
const fs = require("node:fs");
const path = require("node:path");
const inspector = require("node:inspector");
const { isMainThread, threadId, BroadcastChannel } = require("node:worker_threads");

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  // From the start, or from SIGUSR2 on (the load only, not the start-up) with CPU_PROFILE_ON_SIGNAL=1. Signals
  // reach the main thread only, which passes the start on to the worker threads.
  const start = new BroadcastChannel("confiance-cpu-profile");
  start.unref();
  if (process.env.CPU_PROFILE_ON_SIGNAL !== "1") session.post("Profiler.start");
  else if (isMainThread)
    process.once("SIGUSR2", () => {
      session.post("Profiler.start");
      start.postMessage("start");
    });
  else start.onmessage = () => session.post("Profiler.start");
  const file = isMainThread ? `relay-${process.pid}.cpuprofile` : `relay-${process.pid}-thread${threadId}.cpuprofile`;
  process.on("exit", () => {
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, file), JSON.stringify(result.profile));
    });
  });
}
