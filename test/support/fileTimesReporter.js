// Mocha's spec reporter, plus the wall time each test file took (its top-level suites, hooks included),
// printed longest first when the run ends: what `npm test` reads to balance its groups (test/support/fileSeconds.json).
// Hardhat's config selects it when MOCHA_FILE_TIMES is set (scripts/test.ts sets it for the groups).
"use strict";
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

class FileTimesReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const totals = new Map();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent && suite.parent.root && suite.file) started.set(suite, performance.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const t = started.get(suite);
      if (t === undefined) return;
      const file = path.relative(process.cwd(), suite.file);
      totals.set(file, (totals.get(file) ?? 0) + (performance.now() - t) / 1000);
    });
    runner.once(EVENT_RUN_END, () => {
      const rows = [...totals].sort((a, b) => b[1] - a[1]);
      console.log("\n  seconds per test file:");
      for (const [file, s] of rows) console.log(`  ${s.toFixed(1).padStart(8)}  ${file}`);
    });
  }
}

module.exports = FileTimesReporter;
