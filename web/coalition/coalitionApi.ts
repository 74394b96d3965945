import { formatUnits } from "viem";
import { createRelayClient, type RelayClientBase } from "../../client/relay/createRelayClient";
import { relayRequest } from "../../client/relay/relayRequest";
import { RelayError } from "../../client/errors/relay";
import type { CoalitionReport, PartnerReport as PartnerLine } from "../../client/relay/coalitionReport";

export type { CoalitionReport, PartnerLine };

/** A period in unix seconds, [from, to). */
export interface Period {
  from: number;
  to: number;
}

export const FIGURES = ["issued", "reversed", "redeemed", "valueCredited", "liabilityOutstanding", "netSettlement"] as const;

/** The relay that serves this page. */
export function pageRelay(): RelayClientBase {
  return createRelayClient({ url: window.location.origin });
}

const query = (p: Period, format: "json" | "csv") => `/v1/admin/report?from=${p.from}&to=${p.to}&format=${format}`;

export const getReport = (relay: RelayClientBase, token: string, p: Period) => relayRequest<CoalitionReport>(relay, { method: "GET", path: query(p, "json"), bearer: token });

/** Checks a token against the relay (the report of an empty period). */
export const checkToken = (relay: RelayClientBase, token: string) => getReport(relay, token, { from: 0, to: 1 });

/** The CSV of the period, fetched with the token in the Authorization header (never in the URL). */
export async function getReportCsv(relay: RelayClientBase, token: string, p: Period): Promise<Blob> {
  const path = query(p, "csv");
  const res = await relay.fetch(`${relay.url}${path}`, { headers: { accept: "text/csv", authorization: `Bearer ${token}`, ...relay.headers } });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new RelayError({ status: res.status, code: body?.error?.code ?? `http_${res.status}`, message: body?.error?.message ?? res.statusText, method: "GET", path });
  }
  return res.blob();
}

/** Each figure summed over the partners. */
export function totals(partners: PartnerLine[]): Record<(typeof FIGURES)[number], string> {
  const sum = (k: (typeof FIGURES)[number]) => partners.reduce((s, p) => s + BigInt(p[k]), 0n).toString();
  return Object.fromEntries(FIGURES.map((k) => [k, sum(k)])) as Record<(typeof FIGURES)[number], string>;
}

/** Settlement-asset units (6 decimals) as a decimal amount. */
export const asAmount = (units: string) => formatUnits(BigInt(units), 6);

/** The period [from, to) of two calendar days (YYYY-MM-DD, UTC), the last one included. */
export function periodOf(fromDay: string, toDay: string): Period | null {
  const from = Date.parse(`${fromDay}T00:00:00Z`) / 1000;
  const to = Date.parse(`${toDay}T00:00:00Z`) / 1000 + 86_400;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
  return { from, to };
}

/** A UTC calendar day, YYYY-MM-DD. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
