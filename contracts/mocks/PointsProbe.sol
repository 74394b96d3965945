// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICoalitionPoints} from "../interfaces/ICoalitionPoints.sol";

/// @title PointsProbe
/// @notice Reads, in one call, everything the CoalitionPoints property test checks after each step (tests only).
contract PointsProbe {
    /// @notice The figures of the backing invariants and the tiers.
    struct Snapshot {
        uint256 held;
        uint256 reserve;
        uint256 supply;
        uint256[] brandBalances;
        uint8[] tiers;
    }

    /// @notice Reads the settlement asset held by `points`, its reserve and supply, the balance of each of `brands`
    /// and the tier of each of `customers`.
    /// @param points The CoalitionPoints contract.
    /// @param brands Addresses whose brand balance to read.
    /// @param customers Addresses whose tier to read.
    /// @return s The figures.
    function snapshot(ICoalitionPoints points, address[] calldata brands, address[] calldata customers)
        external
        view
        returns (Snapshot memory s)
    {
        s.held = IERC20(points.settlementAsset()).balanceOf(address(points));
        s.reserve = points.reserve();
        s.supply = IERC20(address(points)).totalSupply();
        s.brandBalances = new uint256[](brands.length);
        for (uint256 i; i < brands.length; ++i) s.brandBalances[i] = points.brandBalance(brands[i]);
        s.tiers = new uint8[](customers.length);
        for (uint256 i; i < customers.length; ++i) s.tiers[i] = points.tierOf(customers[i]);
    }
}
