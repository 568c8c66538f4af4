// A rule id (T-24-1, S1-4⑤, L-3 annual_renewal) as each reader needs it (issue 17 item 7): the
// provider's staff read the id itself; customers and resellers read plain Japanese and can open
// the rule on demand. The id is still stored on every line and printed in the PDF's 根拠 column.

export function RuleRef({
  rule,
  explanation,
  staff,
}: {
  rule: string;
  explanation?: string | null;
  staff: boolean;
}) {
  if (staff) {
    return (
      <>
        <abbr title={explanation ?? undefined} className="rule-id">
          {rule}
        </abbr>
        {explanation ? <div className="muted text-12">{explanation}</div> : null}
      </>
    );
  }
  return (
    <>
      {explanation ? <span>{explanation}</span> : null}
      <details className="rule-ref">
        <summary>根拠となる規約</summary>
        <span className="rule-id">{rule}</span>
      </details>
    </>
  );
}
