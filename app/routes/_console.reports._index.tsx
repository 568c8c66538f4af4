import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireViewer } from "~/auth/session.server";
import { Pager } from "~/components/Pager";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { pageRequest } from "~/lib/paging";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import {
  contractInTenant,
  createThreatReport,
  earliestReportMonth,
  pageThreatReports,
  reportableContracts,
  THREAT_REPORT_SORT,
  parseReportMonthForm,
  ThreatReportRefused,
} from "~/security/threat-report.server";
import { formatInstant, formatMonth } from "~/lib/format";

const REPORT_ROLES = ["provider_admin", "operator", "reseller_manager", "customer_admin"] as const;

const OnDemandForm = z.object({
  contractId: z.coerce
    .number({ message: "契約を選んでください" })
    .int()
    .positive("契約を選んでください"),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "対象月を選んでください"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: REPORT_ROLES });
  const at = now();
  const [{ reports, page }, contracts] = await Promise.all([
    pageThreatReports(
      getDb(),
      viewer.tenant,
      pageRequest(new URL(request.url).searchParams, THREAT_REPORT_SORT),
    ),
    reportableContracts(getDb(), viewer.tenant),
  ]);
  const made = new URL(request.url).searchParams.get("made");
  return {
    reports,
    page,
    contracts,
    minMonth: earliestReportMonth(at),
    maxMonth: jstDate(at).slice(0, 7),
    made,
    showCustomer: viewer.tenant.kind !== "customer",
    // The provider's operations run the month's batch (issue 18 item 4).
    showBatch: viewer.role === "provider_admin" || viewer.role === "operator",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: REPORT_ROLES });
  const at = now();
  const form = parseReportMonthForm(OnDemandForm, await request.formData(), at);
  if (!form.ok) return data({ error: form.error }, { status: 400 });
  const contract = await contractInTenant(getDb(), {
    id: form.value.contractId,
    tenant: viewer.tenant,
  });
  if (!contract) return data({ error: "契約が見つかりません。" }, { status: 400 });
  try {
    const report = await createThreatReport(getDb(), {
      contractId: contract.id,
      month: form.value.month,
      kind: "on_demand",
      at,
    });
    return redirect(`/reports?made=${report.id}`);
  } catch (error) {
    if (error instanceof ThreatReportRefused)
      return data({ error: error.message }, { status: 400 });
    throw error;
  }
}

export default function Reports() {
  const { reports, page, contracts, minMonth, maxMonth, made, showCustomer, showBatch } =
    useLoaderData<typeof loader>();
  const error = useActionData<typeof action>()?.error;
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>月次レポート</h1>
      <p className="muted">
        脅威の検知状況をまとめたPDFレポートです。毎月1日に前月分を作成し、契約の管理者あてにメールでお送りします。
        ログの保存期間（6か月）内の月であれば、いつでも作成できます。レポートは契約ごとに最新の99件まで保管します。
      </p>
      {showBatch ? (
        <p>
          <Link to="/reports/batch">全契約の月次レポートを一括作成・ZIPでダウンロード</Link>
        </p>
      ) : null}
      <section className="card" aria-label="レポートの作成">
        <h2>レポートを作成する</h2>
        <Form method="post" className="filters">
          <label>
            契約
            <select name="contractId" defaultValue={contracts[0]?.id}>
              {contracts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.ref}
                  {showCustomer ? `（${c.customer_name}）` : ""}
                </option>
              ))}
            </select>
          </label>
          <label>
            対象月
            <input
              type="month"
              name="month"
              min={minMonth}
              max={maxMonth}
              defaultValue={maxMonth}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? "作成中…" : "作成する"}
          </button>
        </Form>
        <p className="muted">
          作成できる期間：{formatMonth(minMonth)}〜{formatMonth(maxMonth)}
        </p>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        {made ? (
          <p role="status">レポートを作成しました。下の一覧からダウンロードできます。</p>
        ) : null}
      </section>
      {reports.length === 0 ? (
        <div className="empty">保管されているレポートはまだありません。</div>
      ) : (
        <>
          <Pager info={page} label="レポートのページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">対象月</th>
                  <th scope="col">契約</th>
                  {showCustomer ? <th scope="col">お客さま</th> : null}
                  <th scope="col">種類</th>
                  <th scope="col">作成日時</th>
                  <th scope="col">PDF</th>
                </tr>
              </thead>
              <tbody>
                {reports.map((r) => (
                  <tr key={r.id}>
                    <td>{formatMonth(r.period_month)}</td>
                    <td>{r.contract_ref}</td>
                    {showCustomer ? <td>{r.customer_name}</td> : null}
                    <td>{r.kind === "monthly" ? "月次（自動）" : "随時作成"}</td>
                    <td>{formatInstant(r.created_at)}</td>
                    <td>
                      <a href={`/reports/${r.id}/pdf`} download>
                        ダウンロード
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="レポートのページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "月次レポート" }];
