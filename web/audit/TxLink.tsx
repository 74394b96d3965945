import { explorerTxUrl } from "../../client/audit/reportDocument";

/** A transaction hash, linked to the explorer when the auditor set a template. */
export function TxLink({ hash, template }: { hash: string | undefined | null; template: string }) {
  if (!hash) return <>-</>;
  const href = explorerTxUrl(template, hash);
  const text = <code className="hash">{hash}</code>;
  return href ? <a href={href}>{text}</a> : text;
}
