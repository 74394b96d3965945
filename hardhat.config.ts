import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

/**
 * The compiler is the npm package `solc`, pinned in package.json to exactly this version: Hardhat
 * never downloads one, so builds work offline. Keep the two versions equal.
 */
export const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solcPackage = require("solc/package.json") as { version: string };
  if (solcPackage.version !== SOLC_VERSION) {
    throw new Error(`npm package solc is ${solcPackage.version}, hardhat.config.ts pins ${SOLC_VERSION}`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: `${SOLC_VERSION}+commit.7893614a`,
  };
});

/**
 * `npm run coverage` sets COVERAGE_BUILD: its instrumented contracts go to their own folders, so the tests
 * that run beside it (in CI) keep reading the real artifacts; typechain's output (the same ABIs) is left alone.
 */
const coverageBuild = process.env.COVERAGE_BUILD === "true";

const config: HardhatUserConfig = {
  ...(coverageBuild ? { paths: { artifacts: ".coverage-build/artifacts", cache: ".coverage-build/cache" } } : {}),
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
      viaIR: true,
    },
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    currency: "USD",
    offline: true,
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6", dontOverrideCompile: coverageBuild },
  // MOCHA_FILE_TIMES (set by `npm test`): the spec reporter plus each test file's time.
  mocha: { timeout: 120_000, ...(process.env.MOCHA_FILE_TIMES ? { reporter: path.join(__dirname, "test/support/fileTimesReporter.js") } : {}) },
};

export default config;
