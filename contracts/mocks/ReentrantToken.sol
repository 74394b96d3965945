// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice A test token that, once armed, calls back into a target during its next transfer (as a token with
/// transfer hooks could). It can also act as an account itself through `execute`.
contract ReentrantToken is ERC20 {
    address private _target;
    bytes private _data;

    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mints `amount` to `to`; anyone may call it (test fixture).
    /// @param to Recipient.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next transfer between two accounts calls `target` with `data` first.
    /// @param target Contract to call back.
    /// @param data Calldata.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    /// @notice Makes this token call `target` with `data` (so it can act as a brand in tests).
    /// @param target Contract to call.
    /// @param data Calldata.
    function execute(address target, bytes calldata data) external {
        _call(target, data);
    }

    function _update(address from, address to, uint256 value) internal override {
        address target = _target;
        if (target != address(0) && from != address(0) && to != address(0)) {
            bytes memory data = _data;
            delete _target;
            delete _data;
            _call(target, data);
        }
        super._update(from, to, value);
    }

    function _call(address target, bytes memory data) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
