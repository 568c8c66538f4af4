// What a contract page's action starts with (the changes and transfer pages): the signed-in
// viewer, the form as sent, its values for re-showing the form, and the contract id from the URL.
// The contract itself is looked up by the action, within the viewer's tenant.
import type { Params } from "@remix-run/react";
import { requireViewer } from "../auth/session.server";
import { formValues } from "../lib/form";
import { idParam } from "../lib/http.server";

export async function readContractForm(request: Request, params: Params) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  return { viewer, form, values: formValues(form), contractId: idParam(params.contractId) };
}
