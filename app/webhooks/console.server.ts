// The console's guard for the webhook pages: the roles that hold API keys, in a provider or reseller tenant.
import { isKeyTenant } from "../api/keys.server";
import { requireViewer } from "../auth/session.server";
import { API_KEY_ROLES } from "../auth/tenancy";

export async function webhookViewer(request: Request) {
  const viewer = await requireViewer(request, { roles: API_KEY_ROLES });
  if (!isKeyTenant(viewer.tenant))
    throw new Response("この画面を表示する権限がありません。", { status: 403 });
  return { viewer, tenant: viewer.tenant };
}
