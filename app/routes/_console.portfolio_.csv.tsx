import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { portfolio } from "~/contracts/portfolio.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { toCsv } from "~/lib/csv";
import { downloadResponse } from "~/lib/http.server";
import { formatDate, formatMonth } from "~/lib/format";
import { jstDate } from "~/lib/jst";
import { CONTRACT_STATUS_LABELS } from "~/lib/labels";

const orEmpty = (value: string | undefined, format: (v: string) => string) =>
  value ? format(value) : "";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const today = jstDate(now());
  const p = await portfolio(getDb(), viewer.tenant, today);
  const cancellation = new Map(p.cancellations.map((c) => [c.id, c]));
  const renewal = new Map(p.renewals.map((r) => [r.id, r]));
  const csv = toCsv(
    [
      "契約番号",
      "顧客",
      "販売店",
      "回線ID",
      "状態",
      "月額（税抜）",
      "契約更新月（90日以内）",
      "解約日",
      "解約違約金",
    ],
    p.contracts.map((c) => [
      c.ref,
      c.customer_name,
      c.reseller_name ?? "直販",
      c.line_id,
      CONTRACT_STATUS_LABELS[c.status],
      c.mrrYen,
      orEmpty(renewal.get(c.id)?.renewalMonth, formatMonth),
      orEmpty(cancellation.get(c.id)?.terminationDate, formatDate),
      cancellation.get(c.id)?.etfYen ?? "",
    ]),
    { bom: true },
  );
  return downloadResponse(csv, `ポートフォリオ_${today}.csv`, "text/csv; charset=utf-8");
}
