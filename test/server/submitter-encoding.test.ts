import { expect } from "chai";
import { encodeErrorResult, type Hex } from "viem";
import { decodeArgs, encodeArgs, ArgsEncodingError } from "../../server/chain/args";
import { contractsAbi } from "../../server/chain/batch";
import { decodeRevert, revertOf } from "../../server/chain/revert";

describe("chain submission encodings", () => {
  it("stores call arguments as JSON with exact bigints", () => {
    const args = [2n ** 255n + 1n, "0xabc", 7, true, null, [1n, [2n]], { a: 3n }];
    const stored = encodeArgs(args);
    expect(stored).to.equal(
      `[{"$bigint":"${(2n ** 255n + 1n).toString()}"},"0xabc",7,true,null,[{"$bigint":"1"},[{"$bigint":"2"}]],{"a":{"$bigint":"3"}}]`,
    );
    expect(decodeArgs(stored)).to.deep.equal(args);
    expect(decodeArgs(JSON.parse(stored))).to.deep.equal(args);
    expect(() => encodeArgs([1.5])).to.throw(ArgsEncodingError, "number 1.5 is not a safe integer: pass a bigint");
    expect(() => decodeArgs("{}")).to.throw(ArgsEncodingError, "stored arguments are not an array");
  });

  it("names a revert by the contracts' custom errors, and tells it from an unreachable endpoint", () => {
    const receipt = ("0x" + "12".repeat(32)) as Hex;
    const data = encodeErrorResult({ abi: contractsAbi, errorName: "BatchReceiptUsed", args: [3n, receipt] });
    const wrapped = { name: "CallExecutionError", message: "call reverted", cause: { name: "RpcRequestError", message: "reverted", data } };
    const revert = revertOf(wrapped);
    expect(revert?.data).to.equal(data);
    expect(decodeRevert(revert!)).to.deep.equal({ code: "BatchReceiptUsed", message: `BatchReceiptUsed(3, ${receipt})` });
    expect(revertOf({ name: "CallExecutionError", message: "x", cause: { name: "HttpRequestError", message: "HTTP request failed." } })).to.equal(undefined);
    expect(decodeRevert({ data: "0x", message: "execution reverted" })).to.deep.equal({ code: "Reverted", message: "execution reverted" });
    expect(decodeRevert({ data: "0xdeadbeef", message: "x" })).to.deep.equal({ code: "Reverted", message: "reverted with unknown error data 0xdeadbeef" });
  });
});
