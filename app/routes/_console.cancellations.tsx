import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import {
  CANCELLATION_SORT,
  confirmCancellation,
  pageCancellations,
} from "~/contracts/cancellation.server";
import { PagedTable } from "~/components/Pager";
import { ActionsHeader } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { jstDate } from "~/lib/jst";
import { formatDate } from "~/lib/format";
import { failureMessage } from "~/lib/result";
import { failureData } from "~/lib/result.server";
import { ContractRefCells } from "~/components/ContractRefCells";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const { cancellations, page } = await pageCancellations(
    getDb(),
    viewer.tenant,
    pageRequest(new URL(request.url).searchParams, CANCELLATION_SORT),
  );
  return { cancellations, page, today: jstDate(now()) };
}

/** The one form of the page: confirm a requested cancellation (an unknown intent is a 400). */
const ConfirmForm = z.object({ intent: z.literal("confirm"), contractId: idField("契約") });

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const parsed = parseForm(ConfirmForm, await request.formData());
  if (!parsed.ok) return failureData(parsed, { message: failureMessage(parsed) });
  const result = await confirmCancellation(getDb(), {
    contractId: parsed.value.contractId,
    today: jstDate(now()),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  });
  // Nothing waiting to confirm (another operator, a second click) is 409; a missing contract 404.
  if (!result.ok) return failureData(result, { message: failureMessage(result) });
  return redirect("/cancellations");
}

export default function Cancellations() {
  const { cancellations, page, today } = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>();
  return (
    <>
      <h1>解約の確認</h1>
      <p className="muted">
        確認した日が解約希望日より後のときは、確認日が解約日になります（規約第20条）。本日は{" "}
        {formatDate(today)} です。
      </p>
      {error ? (
        <div className="alert error" role="alert">
          {error.message}
        </div>
      ) : null}
      {cancellations.length === 0 ? (
        <div className="empty">解約のお申し込みはありません。</div>
      ) : (
        <PagedTable page={page} label="解約のページ">
          <thead>
            <tr>
              <th scope="col">契約</th>
              <th scope="col">顧客</th>
              <th scope="col">申込日</th>
              <th scope="col">解約希望日</th>
              <th scope="col">確認日</th>
              <th scope="col">解約日</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {cancellations.map((c) => (
              <tr key={c.id}>
                <ContractRefCells contract={c} />
                <td>{formatDate(c.requested_on)}</td>
                <td>{formatDate(c.wished_date)}</td>
                <td>{formatDate(c.confirmed_on)}</td>
                <td>{formatDate(c.termination_date)}</td>
                <td>
                  {c.confirmed_on ? (
                    "確認済み"
                  ) : (
                    <Form method="post">
                      <input type="hidden" name="intent" value="confirm" />
                      <input type="hidden" name="contractId" value={c.id} />
                      <button type="submit" aria-label={`${c.ref} の解約を確認する`}>
                        解約を確認する
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </PagedTable>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "解約の確認 | セキュアライン 管理コンソール" }];
