import type { DbHandle } from "@/db/client";
import { log } from "../log";
import { CHECK_INTERVAL_MS, SAFETY_NET_INTERVAL_MS, cacheFor } from "./active-policies";
import { POLICY_CHANNEL } from "./policy-queries";

/**
 * Live rollout: every save that moves a live pointer sends NOTIFY pitwall_policies (payload: the
 * project id) on commit, and each process LISTENs and drops that project's cached policies, so the
 * next call reads the new version (well within a second of the save). Polling stays on as the
 * safety net at a longer interval; each (re)connect of the LISTEN connection invalidates
 * everything, since a notification sent while it was down is lost. PGlite has one process, which
 * invalidates its own cache on save, so it needs no listener.
 *
 * PITWALL_POLICY_POLL_MS overrides the polling interval (the two-process test sets it high to show
 * that NOTIFY alone delivers the change).
 */
export function startPolicyListener(handle: DbHandle, env: Readonly<Record<string, string | undefined>> = process.env): () => Promise<void> {
  const cache = cacheFor(handle.db);
  const override = Number(env.PITWALL_POLICY_POLL_MS);
  const poll = (fallback: number) => (Number.isFinite(override) && override > 0 ? override : fallback);
  cache.setCheckInterval(poll(CHECK_INTERVAL_MS));
  const sql = handle.sql;
  if (!sql) return async () => {};

  let closed = false;
  let unlisten: (() => Promise<void>) | null = null;
  const started = sql
    .listen(
      POLICY_CHANNEL,
      (projectId) => cache.invalidate(projectId),
      () => {
        cache.invalidateAll();
        cache.setCheckInterval(poll(SAFETY_NET_INTERVAL_MS));
        log.debug("listening for policy changes");
      },
    )
    .then((sub) => {
      unlisten = sub.unlisten;
      if (closed) void sub.unlisten().catch(() => {});
    })
    .catch((err: unknown) => {
      // Keep polling every second; postgres.js retries the LISTEN connection on its own once up.
      log.warn({ err }, "could not LISTEN for policy changes; polling every second instead");
    });

  return async () => {
    closed = true;
    await started;
    await (unlisten as (() => Promise<void>) | null)?.().catch(() => {});
  };
}
