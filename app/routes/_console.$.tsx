// An address that matches no page, for a signed-in person: 404 inside the console's layout, so that
// the menu stays (issue 17 item 13). Without a session the layout sends the visitor to the login.
export function loader(): never {
  throw new Response("Not Found", { status: 404 });
}

export default function NotFound() {
  return null;
}
