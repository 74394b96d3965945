import type { ReportDocument, ReportValue } from "../../client/audit";

function Value({ v }: { v: ReportValue }) {
  return typeof v === "string" ? <>{v}</> : <a href={v.href}>{v.text}</a>;
}

/** A report document (the same one the CLI writes with --report), as the page shows and prints it. */
export function ReportView({ doc }: { doc: ReportDocument }) {
  return (
    <article className="report-doc" aria-label={doc.title}>
      <h3>{doc.title}</h3>
      <p className={`report-result ${doc.ok ? "ok" : "fail"}`}>{doc.result}</p>
      {doc.sections.map((s) => (
        <section key={s.heading}>
          <h4>{s.heading}</h4>
          {s.facts?.length ? (
            <table className="facts">
              <tbody>
                {s.facts.map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>
                      <Value v={v} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {s.table ? (
            <table>
              <thead>
                <tr>
                  {s.table.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {s.table.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => (
                      <td key={j}>
                        <Value v={v} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {s.lines?.length ? (
            <ul>
              {s.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          ) : null}
        </section>
      ))}
    </article>
  );
}
