// Tells Remix's types that single fetch is on (remix.config.js future.v3_singleFetch), so
// useLoaderData/useActionData infer what `data()` and plain objects return.
import "@remix-run/node";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}
