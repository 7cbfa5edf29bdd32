import type { IngestEventInput } from "../ingestion/event-schema";

/**
 * An event as the SDK sends it: the ingest schema's input type (type-only import: nothing of the
 * server is loaded at run time), so a renamed ingest field fails the SDK's typecheck.
 */
export type SdkEvent = IngestEventInput;

/** What `track()` takes: id and timestamp are filled in when missing. */
export type TrackEvent = Omit<SdkEvent, "id" | "timestamp"> & { id?: string; timestamp?: string };

/** 128 random bits as hex, from Web Crypto (Node 20+, browsers, workers). */
export function randomId(bytes = 16): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The gateway's hash (sha256, first 32 hex), so repeats are found across both paths. */
export async function sha256Prefix(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let out = "";
  for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, "0");
  return out.slice(0, 32);
}
