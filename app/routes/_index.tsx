import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getViewer } from "~/auth/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await getViewer(request);
  return redirect(viewer ? "/home" : "/login");
}
