import { useState } from "react";
import { ACTION_NAMES, type HistoryRecord } from "../../client/audit/historyChain";
import { purposeName } from "../../client/purposes";
import { useAuditText } from "./messages";
import { TxLink } from "./TxLink";

const PAGE = 50;

/** The verified history in chain order, a page at a time, with purposes by name and each transaction. */
export function Timeline({ records, purposes, txUrl }: { records: HistoryRecord[]; purposes: readonly { id: string; name: string | null }[]; txUrl: string }) {
  const { t, formatDate } = useAuditText();
  const [page, setPage] = useState(0);
  if (records.length === 0) return <p className="empty">{t("timeline.empty")}</p>;
  const pages = Math.ceil(records.length / PAGE);
  const shown = records.slice(page * PAGE, page * PAGE + PAGE);
  return (
    <>
      <p id="timeline-page" aria-live="polite">
        {t("timeline.page", { from: page * PAGE + 1, to: page * PAGE + shown.length, count: records.length })}
      </p>
      <div className="table-scroll" role="region" aria-labelledby="timeline-title" tabIndex={0}>
        <table className="timeline">
          <thead>
            <tr>
              <th scope="col">{t("timeline.seq")}</th>
              <th scope="col">{t("timeline.time")}</th>
              <th scope="col">{t("timeline.action")}</th>
              <th scope="col">{t("timeline.subject")}</th>
              <th scope="col">{t("timeline.purpose")}</th>
              <th scope="col">{t("timeline.tx")}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={String(r.seq)}>
                <td>{String(r.seq)}</td>
                <td>{formatDate(r.timestamp * 1000, true)}</td>
                <td>{t(`action.${ACTION_NAMES[r.action]}`)}</td>
                <td>
                  <code className="address">{r.subject}</code>
                </td>
                <td>{r.action === 3 ? t("timeline.all") : (purposeName({ id: r.purpose, purposes }) ?? <code className="hash">{r.purpose}</code>)}</td>
                <td>
                  <TxLink hash={r.txHash} template={txUrl} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <div className="buttons">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)} aria-controls="timeline-page">
            {t("timeline.previous")}
          </button>
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)} aria-controls="timeline-page">
            {t("timeline.next")}
          </button>
        </div>
      ) : null}
    </>
  );
}
