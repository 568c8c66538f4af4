import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { getCreditNote } from "~/billing/credit-notes.server";
import { explainRule } from "~/billing/rule-explanations";
import { NON_TAXABLE_HEADING } from "~/billing/tax";
import { RULE_ID_ROLES } from "~/auth/tenancy";
import { BillLineHead, BillLineRow } from "~/components/BillLineRow";
import { TableScroll } from "~/components/TableScroll";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { idParam, notFound } from "~/lib/http.server";
import { formatBillingMonth, formatDate, formatYen } from "~/lib/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const found = await getCreditNote(getDb(), {
    id: idParam(params.creditNoteId),
    tenant: viewer.tenant,
  });
  if (!found) throw notFound();
  return {
    ...found,
    lines: found.lines.map((l) => ({ ...l, explanation: explainRule(l.rule) })),
    showRuleIds: RULE_ID_ROLES.includes(viewer.role),
  };
}

export default function CreditNote() {
  const { note, lines, showRuleIds } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to={`/invoices/${note.invoice_id}`}>← 元の請求書 {note.invoice_number}</Link>
      </p>
      <h1>返還請求書 {note.credit_note_number}</h1>
      {params.get("issued") ? (
        <div className="alert success" role="status">
          返還請求書を発行しました。元の請求書は変更されていません。
        </div>
      ) : null}
      <p>
        <a className="button" href={`/credit-notes/${note.id}/pdf`} download>
          返還請求書PDFをダウンロード
        </a>{" "}
        <a className="button secondary" href={`/credit-notes/${note.id}/xml`} download>
          電子インボイス（JP PINT XML）
        </a>
      </p>
      <dl className="facts">
        <dt>宛先</dt>
        <dd>{note.recipient_name} 御中</dd>
        <dt>元の請求書</dt>
        <dd>
          {note.invoice_number}（{formatBillingMonth(note.billing_month)}、契約 {note.contract_ref}
          ）
        </dd>
        <dt>発行日</dt>
        <dd>{formatDate(note.issue_date)}</dd>
        <dt>理由</dt>
        <dd>{note.reason}</dd>
        <dt>返還額（税込）</dt>
        <dd>
          <strong data-testid="credit-total">{formatYen(note.total_yen)}</strong>
        </dd>
      </dl>
      <h2>返還する明細</h2>
      <TableScroll>
        <table className="data">
          <BillLineHead item="明細" amount="返還額" />
          <tbody>
            {lines.map((l) => (
              <BillLineRow key={l.id} line={l} showRuleIds={showRuleIds} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2}>10%対象 返還額</td>
              <td className="num">{formatYen(note.taxable_10_yen)}</td>
              <td />
            </tr>
            <tr>
              <td colSpan={2}>消費税（10%）</td>
              <td className="num">{formatYen(note.tax_10_yen)}</td>
              <td />
            </tr>
            <tr>
              <td colSpan={2}>{NON_TAXABLE_HEADING} 返還額</td>
              <td className="num">{formatYen(note.non_taxable_yen)}</td>
              <td />
            </tr>
            <tr>
              <td colSpan={2}>
                <strong>合計</strong>
              </td>
              <td className="num">
                <strong>{formatYen(note.total_yen)}</strong>
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </TableScroll>
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `返還請求書 ${data?.note.credit_note_number ?? ""} | セキュアライン 管理コンソール` },
];
