import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout } from "~/auth/session.server";

export async function loader() {
  return redirect("/home");
}

export async function action({ request }: ActionFunctionArgs) {
  const cookie = await logout(request);
  return redirect("/login", { headers: { "Set-Cookie": cookie } });
}
