// The 口座振替 request file for a due date, downloaded from the billing page (issue 20, item 1):
// the same file as `collections -- request`. A POST because writing it records the debits.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { writeDebitRequest } from "~/collections/collections.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { downloadResponse } from "~/lib/http.server";
import { parseForm } from "~/lib/form";
import { isIsoDate, type IsoDate } from "~/lib/jst";
import { failureMessage } from "~/lib/result";
import { z } from "zod";

// The billing page's 口座振替 form (issue 16 item 1): the due date the debits are for.
const NO_DATE = "支払期限の日付を選んでください";
const DebitForm = z.object({
  date: z.string({ error: NO_DATE }).refine((v): v is IsoDate => isIsoDate(v), NO_DATE),
});

export async function loader() {
  return redirect("/billing");
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const parsed = parseForm(DebitForm, await request.formData());
  if (!parsed.ok)
    return redirect(
      `/billing?debitError=${encodeURIComponent(failureMessage(parsed))}#direct-debit`,
    );
  const result = await writeDebitRequest(getDb(), {
    dueDate: parsed.value.date,
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  });
  if (!result.ok)
    return redirect(
      `/billing?debitError=${encodeURIComponent(failureMessage(result))}#direct-debit`,
    );
  return downloadResponse(
    result.value.bytes,
    `口座振替依頼_${result.value.debitDate.replaceAll("-", "")}.txt`,
    "text/plain; charset=Shift_JIS",
  );
}
