/**
 * `npm run build:web`: builds the web app into web/dist (Vite) and prints its build time and what the
 * first page downloads (gzip). `--if-stale`: only when web/, client/ or the lock file changed since the
 * last build, and quietly (how `npm run relay` and `npm run demo` call it).
 */
import { buildWeb, webBundleSize } from "./lib/webBuild";
import { helpFromDocComment } from "./lib/usage";

const ifStale = process.argv.slice(2).includes("--if-stale");
helpFromDocComment(__filename);
buildWeb({ ifStale, quiet: ifStale }).then(
  (r) => {
    if (!r.built) return;
    const size = webBundleSize();
    const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    console.log(`web app built into web/dist in ${(r.ms / 1000).toFixed(1)} s; the first page loads ${kb(size.jsGzip)} of JavaScript and ${kb(size.cssGzip)} of CSS (gzip)`);
  },
  (err: Error) => {
    console.error(`web app build failed: ${err.message}`);
    process.exit(1);
  },
);
