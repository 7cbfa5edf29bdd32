import type { Db } from "@/db/client";
import { enqueueRollups, rollupQueueInsert } from "../metrics/rollup-upkeep";
import { getPriceBook } from "../pricing/price-queries";
import { describeIssues, IngestEvent } from "./event-schema";
import { GATEWAY_EVENT_ID_PREFIX } from "./limits";
import type { EventRecord } from "../events/event-record";
import { normalizeEvent } from "./normalize-event";
import { storeEvents } from "./store-events";

export type Rejection = { index: number; id: string | null; error: string };
export type IngestResult = { accepted: number; duplicates: number; rejected: Rejection[] };

/** Who is ingesting: "gateway" is the gateway's recorder, the only writer of gw_ ids. */
export type IngestSource = "client" | "gateway";

export function retentionDays(): number {
  const n = Number(process.env.PITWALL_RETENTION_DAYS ?? 30);
  return Number.isFinite(n) && n > 0 ? n : 30;
}

/**
 * Validates each event on its own (one bad event never sinks the batch), prices the good ones and
 * stores them in one transaction: either all valid events are stored or none are.
 */
export async function ingestBatch(
  db: Db,
  projectId: string,
  rawEvents: unknown[],
  opts: { source?: IngestSource } = {},
): Promise<IngestResult> {
  const fromClient = (opts.source ?? "client") === "client";
  const prices = await getPriceBook(db, projectId);
  const window = { now: Date.now(), retentionDays: retentionDays() };
  const rejected: Rejection[] = [];
  const records: EventRecord[] = [];
  const seen = new Set<string>();
  let duplicates = 0;

  rawEvents.forEach((raw, index) => {
    const parsed = IngestEvent.safeParse(raw);
    const rawId = typeof (raw as { id?: unknown })?.id === "string" ? ((raw as { id: string }).id.slice(0, 128)) : null;
    if (!parsed.success) {
      rejected.push({ index, id: rawId, error: describeIssues(parsed.error) });
      return;
    }
    if (fromClient && parsed.data.id.startsWith(GATEWAY_EVENT_ID_PREFIX)) {
      rejected.push({ index, id: parsed.data.id, error: `id: the ${GATEWAY_EVENT_ID_PREFIX} prefix is reserved for gateway calls` });
      return;
    }
    const record = normalizeEvent(parsed.data, prices, window);
    if (typeof record === "string") {
      rejected.push({ index, id: parsed.data.id, error: record });
      return;
    }
    if (seen.has(record.id)) {
      duplicates++;
      return;
    }
    seen.add(record.id);
    records.push(record);
  });

  if (records.length === 0) return { accepted: 0, duplicates, rejected };

  const storedIds = await db.transaction(async (tx) => {
    // Metric rollups ride along with every stored batch, in its transaction, whichever process
    // or path ingests it; only newly stored events, so a re-sent duplicate never counts twice.
    // The usual batch is all new: its queue row goes in with the insert itself (one statement).
    const ids = await storeEvents(tx, projectId, records, (allNew) => rollupQueueInsert(projectId, records, allNew));
    if (ids.length > 0 && ids.length < records.length) {
      const fresh = new Set(ids);
      await enqueueRollups(tx, projectId, records.filter((r) => fresh.has(r.id)));
    }
    return ids;
  });

  return { accepted: storedIds.length, duplicates: duplicates + (records.length - storedIds.length), rejected };
}
