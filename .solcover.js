// solidity-coverage settings: contract tests only (the server suites start their own chains).
module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["text", "json-summary", "lcov"],
  configureYulOptimizer: true,
};
