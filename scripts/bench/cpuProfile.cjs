/**
 * Preloaded into the relay child (NODE_OPTIONS=-r, since --cpu-prof is not allowed there) by
 * scripts/bench/eventsOnly.ts when PROFILE=dir: profiles the whole process with the inspector and writes
 * dir/relay-<pid>.cpuprofile when it exits (chrome devtools, or `npx ts-node --transpile-only scripts/bench/profile.ts FILE`).
 */
const fs = require("node:fs");
const path = require("node:path");
const inspector = require("node:inspector");

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  // From the start, or from SIGUSR2 on (the load only, not the start-up) with CPU_PROFILE_ON_SIGNAL=1.
  if (process.env.CPU_PROFILE_ON_SIGNAL === "1") process.once("SIGUSR2", () => session.post("Profiler.start"));
  else session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `relay-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
