// Small helpers shared by routes.

/** The 404 every missing or foreign record answers with. */
export function notFound(): Response {
  return new Response("見つかりません", { status: 404 });
}

/** A positive integer route parameter, or a 404. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFound();
  return Number(value);
}
