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
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { FileJobStatus } from "~/components/FileJobStatus";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatMonth } from "~/lib/format";
import { isYearMonth, type YearMonth } from "~/lib/jst";
import {
  requestThreatReportBatch,
  threatReportBatchProgress,
} from "~/security/threat-report-jobs.server";
import { lastMonth, parseReportMonthForm } from "~/security/threat-report.server";

const BatchForm = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "対象月を選んでください"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: OPERATIONS_ROLES });
  const asked = new URL(request.url).searchParams.get("month");
  const month: YearMonth = isYearMonth(asked) ? asked : lastMonth(now());
  return { month, job: await threatReportBatchProgress(getDb(), month) };
}

/** Queues the month's batch (one job per month: a second submit while it runs shows the same job). */
export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const at = now();
  const form = parseReportMonthForm(BatchForm, await request.formData(), at);
  if (!form.ok) return data({ error: form.error }, { status: 400 });
  await requestThreatReportBatch(getDb(), form.value.month, { at, requestedBy: viewer.email });
  return redirect(`/reports/batch?month=${form.value.month}`);
}

export default function ReportBatch() {
  const { month, job } = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>()?.error;
  const submitting = useNavigation().state === "submitting";
  const active = job?.state === "queued" || job?.state === "running";
  return (
    <>
      <p>
        <Link to="/reports">← 月次レポート</Link>
      </p>
      <h1>{formatMonth(month)}の月次レポート（一括作成）</h1>
      <p className="muted">
        稼働中のすべての契約について{formatMonth(month)}
        の月次レポートを作成し、契約の管理者あてにメールで送ります（作成済みの契約は飛ばします）。終わると全契約分のPDFを1つのZIPファイルでダウンロードできます。毎月1日には前月分を自動で作成します。
      </p>
      {job ? <FileJobStatus job={job} unit="契約" /> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {active ? null : (
        <Form method="post">
          <input type="hidden" name="month" value={month} />
          <button type="submit" disabled={submitting}>
            {job ? "もう一度実行する（未作成の契約のみ作成）" : "一括作成する"}
          </button>
        </Form>
      )}
      <Form method="get" className="filters">
        <label>
          対象月
          <input type="month" name="month" defaultValue={month} required />
        </label>
        <button type="submit" className="secondary">
          表示
        </button>
      </Form>
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.month ?? ""} 月次レポート一括作成 | セキュアライン 管理コンソール` },
];
