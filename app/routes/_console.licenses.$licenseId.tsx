import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { RULE_ID_ROLES } from "~/auth/tenancy";
import { LicensePanel } from "~/components/LicensePanel";
import { getDb } from "~/db.server";
import { cancelIspContract, revokeIspCancellationOf } from "~/licenses/isp.server";
import {
  cancelLicense,
  completeAutoRenewalStop,
  stopAutoRenewal,
} from "~/licenses/license-changes.server";
import { getLicenseView } from "~/licenses/license-views.server";
import { LICENSE_ACTION_ROLES, LICENSE_OPERATION_ROLES } from "~/licenses/licenses.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";

const ActionForm = z.object({
  intent: z.enum(["stop_renewal", "cancel", "isp_cancel", "isp_revoke", "complete_stop"], {
    error: "操作を選んでください",
  }),
  uninstalled: z.string().optional(),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const view = await getLicenseView(
    getDb(),
    { id: idParam(params.licenseId), tenant: viewer.tenant },
    today,
  );
  if (!view) throw notFound();
  return {
    view,
    today,
    showCustomer: viewer.tenant.kind !== "customer",
    showRuleIds: RULE_ID_ROLES.includes(viewer.role),
    canAct: LICENSE_ACTION_ROLES.includes(viewer.role),
    canCompleteStop: LICENSE_OPERATION_ROLES.includes(viewer.role),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = idParam(params.licenseId);
  const form = Object.fromEntries(await request.formData());
  const parsed = ActionForm.safeParse(form);
  const viewer = await requireViewer(request, {
    roles:
      parsed.success && parsed.data.intent === "complete_stop"
        ? LICENSE_OPERATION_ROLES
        : LICENSE_ACTION_ROLES,
  });
  if (!parsed.success)
    return data(
      {
        intent: "",
        message: parsed.error.issues[0]?.message ?? "入力内容を確認してください",
        field: undefined as string | undefined,
      },
      { status: 400 },
    );
  const db = getDb();
  const base = {
    id,
    tenant: viewer.tenant,
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const on = jstDate(now());
  const { intent } = parsed.data;
  const result =
    intent === "stop_renewal"
      ? await stopAutoRenewal(db, { ...base, on })
      : intent === "cancel"
        ? await cancelLicense(db, {
            ...base,
            on,
            uninstallAcknowledged: parsed.data.uninstalled === "yes",
          })
        : intent === "isp_cancel"
          ? await cancelIspContract(db, { ...base, on })
          : intent === "isp_revoke"
            ? await revokeIspCancellationOf(db, { ...base, on })
            : await completeAutoRenewalStop(db, base);
  if (!result) throw notFound();
  if (!result.ok)
    return data({ intent, message: result.error, field: result.field }, { status: 400 });
  if (intent === "complete_stop") return redirect(`/licenses/${id}?processed=1`);
  return redirect(`/licenses/${id}/done?action=${intent}`);
}

export default function LicenseDetail() {
  const { view, today, showCustomer, canAct, canCompleteStop, showRuleIds } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link> ・{" "}
        <Link to="/licenses/find">ライセンスを探す</Link>
      </p>
      <h1>ライセンス {view.overview.license.ref}</h1>
      {params.get("applied") ? (
        <div className="alert success" role="status" data-testid="isp-applied">
          お申込みを受け付けました。契約番号 {view.overview.license.contractNumber}
          、PIN（シリアルID）{view.overview.license.productKey}
          でソフトウェアをインストールしてください。
        </div>
      ) : null}
      {params.get("processed") ? (
        <div className="alert success" role="status">
          自動延長の停止処理を完了にしました。
        </div>
      ) : null}
      {canAct ? null : (
        <p className="muted">停止・解約のお手続きは、お客さま・販売店・運用担当者が行います。</p>
      )}
      <LicensePanel
        view={view}
        today={today}
        showCustomer={showCustomer}
        canAct={canAct}
        canCompleteStop={canCompleteStop}
        showRuleIds={showRuleIds}
        error={
          actionData
            ? { message: actionData.message, field: actionData.field, intent: actionData.intent }
            : null
        }
      />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: `ライセンス ${d?.view.overview.license.ref ?? ""} | セキュアライン 管理コンソール` },
];
