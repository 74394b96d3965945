/**
 * `npm run build:web`: builds the web app into web/dist (Vite). `--if-stale`: only when web/, client/ or
 * the lock file changed since the last build (how `npm run relay` and `npm run demo` call it).
 */
import { buildWeb } from "./lib/webBuild";

const ifStale = process.argv.slice(2).includes("--if-stale");
buildWeb({ ifStale, quiet: ifStale }).then(
  (r) => {
    if (r.built) console.log(`web app built into web/dist in ${(r.ms / 1000).toFixed(1)} s`);
    else if (!ifStale) console.log("web app is current");
  },
  (err: Error) => {
    console.error(`web app build failed: ${err.message}`);
    process.exit(1);
  },
);
