// The staff's one search box (issue 17 item 10): a GET form to /search, usable without JavaScript.
import { Form } from "@remix-run/react";

/** As long as the server reads (app/home/search.server.ts SEARCH_MAX_LENGTH). */
const MAX_LENGTH = 100;

export function SearchBox({ defaultValue = "" }: { defaultValue?: string }) {
  return (
    <Form method="get" action="/search" role="search" className="filters" aria-label="検索">
      <label>
        検索（契約番号・回線ID・顧客名・請求書番号・注文番号）
        <input type="search" name="q" defaultValue={defaultValue} maxLength={MAX_LENGTH} />
      </label>
      <button type="submit">検索</button>
    </Form>
  );
}
