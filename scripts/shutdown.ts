// Graceful shutdown (issue 18 item 5): on SIGTERM or SIGINT a process stops taking work, lets
// what is in flight finish for a bounded time, then closes the database and exits 0. Each kind of
// process (the web server here; a job worker) passes its own `stop` to `stopOnSignals`; the
// pieces below are what those stops are made of.
import type { Server, ServerResponse } from "node:http";
import { errorFields, log } from "../app/lib/log.server";

/**
 * Runs `stop` once on the first SIGTERM/SIGINT, then exits 0 (1 when `stop` throws). A second
 * signal while stopping exits 1 at once: the operator insists.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log("warn", "second signal while stopping: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log("info", "stopping", { signal });
    stop(signal).then(
      () => {
        log("info", "stopped", { signal });
        process.exit(0);
      },
      (error: unknown) => {
        log("error", "stopping failed", { signal, ...errorFields(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** Counts the requests a server is answering, and answers `Connection: close` once it drains. */
export function trackRequests(server: Server): { inFlight(): number; drain(): void } {
  const responses = new Set<ServerResponse>();
  let draining = false;
  // A keep-alive client must not send its next request on a connection that is about to go.
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("Connection", "close");
  };
  server.on("request", (_req, res: ServerResponse) => {
    responses.add(res);
    res.once("close", () => responses.delete(res));
    if (draining) closeAfter(res);
  });
  return {
    inFlight: () => responses.size,
    drain: () => {
      draining = true;
      responses.forEach(closeAfter);
    },
  };
}

/**
 * Stops accepting connections and waits for the requests in flight, at most `timeoutMs`; then
 * closes what is left. Idle keep-alive connections are closed as they become idle.
 * Resolves with how many requests were cut off (0 when everything finished).
 */
export function closeHttpServer(
  server: Server,
  timeoutMs: number,
  inFlight: () => number,
): Promise<{ cutOff: number }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (cutOff: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(idle);
      resolve({ cutOff });
    };
    const timer = setTimeout(() => {
      const cutOff = inFlight();
      server.closeAllConnections();
      done(cutOff);
    }, timeoutMs);
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => done(0));
    server.closeIdleConnections();
  });
}

/** Waits until `idle()` holds, checking every 50 ms, at most `timeoutMs`; resolves whether it did. */
export async function waitUntil(idle: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!idle()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
