// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title PlainERC20
/// @notice An unmodified OpenZeppelin ERC-20 with open minting: the gas baseline for CoalitionPoints.
contract PlainERC20 is ERC20 {
    constructor() ERC20("Plain", "PLN") {}

    /// @notice Mints `amount` to `to`; anyone may call it (benchmark fixture).
    /// @param to Recipient.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
