// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockStablecoin
/// @notice A stablecoin-like ERC-20 with 6 decimals and open minting, for tests, the demo and benchmarks only.
contract MockStablecoin is ERC20 {
    constructor() ERC20("Mock USD", "mUSD") {}

    /// @notice Mints `amount` to `to`; anyone may call it (test fixture).
    /// @param to Recipient.
    /// @param amount Amount in base units (6 decimals).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
