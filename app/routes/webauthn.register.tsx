// Registers a passkey for the signed-in account (JSON, called by components/PasskeyButton.tsx).
// Reachable while the account still has to set up its second factor: a passkey is one.
import type { ActionFunctionArgs } from "@remix-run/node";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { failureMessage } from "~/lib/result";
import { finishRegistration, registrationOptions } from "~/auth/passkeys.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { secondFactorSetup: true });
  const body = (await request.json().catch(() => ({}))) as {
    step?: unknown;
    name?: unknown;
    response?: unknown;
  };
  const db = getDb();
  if (body.step === "options") {
    return Response.json({ ok: true, options: await registrationOptions(db, viewer, now()) });
  }
  if (body.step !== "verify" || typeof body.response !== "object" || body.response === null) {
    return Response.json({ ok: false, message: "要求の形式が正しくありません。" }, { status: 400 });
  }
  const result = await finishRegistration(
    db,
    { id: viewer.id, email: viewer.email },
    {
      name: typeof body.name === "string" ? body.name : "",
      response: body.response as RegistrationResponseJSON,
    },
    now(),
    clientIp(request),
  );
  // The browser's script reads `{ ok, name }` or `{ ok: false, message }` (unchanged answer).
  return result.ok
    ? Response.json({ ok: true, name: result.value.name })
    : Response.json({ ok: false, message: failureMessage(result) }, { status: 400 });
}

export async function loader() {
  return new Response("見つかりません", { status: 404 });
}
