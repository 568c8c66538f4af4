import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { portfolioCsvChunks } from "~/contracts/portfolio.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { csvStreamResponse } from "~/lib/csv-stream.server";
import { formatDate, formatMonth } from "~/lib/format";
import { jstDate } from "~/lib/jst";
import { CONTRACT_STATUS_LABELS } from "~/lib/labels";

const orEmpty = (value: string | null | undefined, format: (v: string) => string) =>
  value ? format(value) : "";

// Every contract of the tenant, written a chunk of contracts at a time (issue 17 item 2: the
// file was built whole in memory first).
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const today = jstDate(now());
  async function* rows() {
    for await (const chunk of portfolioCsvChunks(getDb(), viewer.tenant, today))
      yield chunk.map((c) => [
        c.ref,
        c.customer_name,
        c.reseller_name ?? "直販",
        c.line_id,
        CONTRACT_STATUS_LABELS[c.status],
        c.mrrYen,
        orEmpty(c.renewalMonth, formatMonth),
        orEmpty(c.cancellation?.terminationDate, formatDate),
        c.cancellation?.etfYen ?? "",
      ]);
  }
  return csvStreamResponse(
    `ポートフォリオ_${today}.csv`,
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
    rows(),
  );
}
