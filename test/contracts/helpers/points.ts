import hre from "hardhat";
import { Signature, type Signer, type TypedDataDomain } from "ethers";
import { testAccount } from "../../../scripts/lib/localChain";
import type { Hex } from "viem";
import type { CoalitionPoints, MockStablecoin } from "../../../typechain-types";
import { pointsTypes } from "../../../client/typedData";

export const UNIT = 10_000n; // 0.01 of a 6-decimal stablecoin per point
export const DEPOSIT = 1_000_000_000n; // 1,000 units of the stablecoin
export const MAX_POINTS = (1n << 96n) - 1n;
export const ADMIN_ROLE = "0x" + "00".repeat(32);
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export const REDEEM_TYPES = pointsTypes;

export interface RedeemMessage {
  customer: string;
  brand: string;
  points: bigint;
  orderRef: string;
  nonce: bigint;
  deadline: bigint;
}

export const id = (s: string): string => hre.ethers.id(s);

/** All signers with their role in the fixture. */
export async function actors() {
  const s = await hre.ethers.getSigners();
  return {
    gov: s[0],
    brandA: s[1],
    brandB: s[2],
    brandC: s[3], // suspended in the fixture
    opA: s[4],
    opB: s[5],
    removedOp: s[6], // was an operator of brand A, removed
    customer: s[7],
    customer2: s[8],
    stranger: s[9],
    treasury: s[10],
    all: s,
  };
}

/**
 * CoalitionPoints with brands A, B (admitted, each with DEPOSIT and one operator, proposed and accepted) and C
 * (deposited, then suspended), and a removed operator of A. Use with loadFixture.
 */
export async function pointsFixture() {
  const a = await actors();
  const usd = (await hre.ethers.deployContract("MockStablecoin")) as unknown as MockStablecoin;
  const points = (await hre.ethers.deployContract("CoalitionPoints", [
    await usd.getAddress(),
    UNIT,
    a.gov.address,
  ])) as unknown as CoalitionPoints;
  const pointsAddr = await points.getAddress();
  for (const b of [a.brandA, a.brandB, a.brandC]) {
    await points.admitBrand(b.address);
    await usd.mint(b.address, DEPOSIT * 10n);
    await usd.connect(b).approve(pointsAddr, hre.ethers.MaxUint256);
    await points.connect(b).deposit(DEPOSIT);
  }
  for (const [brand, op] of [
    [a.brandA, a.opA],
    [a.brandB, a.opB],
    [a.brandA, a.removedOp],
  ] as const) {
    await points.connect(brand).setOperator(op.address, true);
    await points.connect(op).acceptOperator(brand.address);
  }
  await points.connect(a.brandA).setOperator(a.removedOp.address, false);
  await points.suspendBrand(a.brandC.address);
  return { ...a, usd, points, pointsAddr };
}

export async function domainOf(points: CoalitionPoints): Promise<TypedDataDomain> {
  const { chainId } = await hre.ethers.provider.getNetwork();
  return { name: "Confiance CoalitionPoints", version: "1", chainId, verifyingContract: await points.getAddress() };
}

/** Redeem signature made with ethers (signer.signTypedData). */
export async function signRedeemEthers(points: CoalitionPoints, signer: Signer, msg: RedeemMessage): Promise<string> {
  return signer.signTypedData(await domainOf(points), { Redeem: [...REDEEM_TYPES.Redeem] }, msg);
}

/** Redeem signature made with viem (signTypedData of a local account from the hardhat mnemonic). */
export async function signRedeemViem(points: CoalitionPoints, accountIndex: number, msg: RedeemMessage): Promise<Hex> {
  const account = testAccount(accountIndex);
  const { chainId } = await hre.ethers.provider.getNetwork();
  return account.signTypedData({
    domain: {
      name: "Confiance CoalitionPoints",
      version: "1",
      chainId: Number(chainId),
      verifyingContract: (await points.getAddress()) as Hex,
    },
    types: REDEEM_TYPES,
    primaryType: "Redeem",
    message: {
      customer: msg.customer as Hex,
      brand: msg.brand as Hex,
      points: msg.points,
      orderRef: msg.orderRef as Hex,
      nonce: msg.nonce,
      deadline: msg.deadline,
    },
  });
}

/** The same signature in its malleable high-s form (s' = n - s, v flipped). */
export function toHighS(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return hre.ethers.concat([sig.r, hre.ethers.toBeHex(highS, 32), hre.ethers.toBeHex(v, 1)]);
}

export async function now(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}
