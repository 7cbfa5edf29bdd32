import type { IncomingMessage, ServerResponse } from "node:http";
import { createGunzip, createInflate } from "node:zlib";
import { AppError } from "../errors";

export type ReadBodyOptions = {
  /**
   * Asked for the bytes about to be held in memory before they are (throws to refuse the body): a
   * declared identity body once, up front, before a byte is read; otherwise chunk by chunk, as
   * decompressed. Its error is passed on as thrown.
   */
  admit?: (bytes: number) => void;
};

/**
 * Reads a request body up to `maxBytes` after decompression. gzip and deflate are decoded as a
 * stream and cut off at the cap, so a small compressed bomb never expands in memory.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, opts: ReadBodyOptions = {}): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  const declared = Number(req.headers["content-length"]);
  const sized = encoding === "identity" && Number.isInteger(declared) && declared >= 0;
  if (sized && declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  // The HTTP parser never delivers more than Content-Length, so one up-front admission covers it.
  let admitChunk = opts.admit;
  if (admitChunk && sized) {
    try {
      admitChunk(declared);
    } catch (err) {
      req.resume();
      throw err;
    }
    admitChunk = undefined;
  }
  let source: NodeJS.ReadableStream = req;
  if (encoding === "gzip" || encoding === "x-gzip") source = req.pipe(createGunzip());
  else if (encoding === "deflate") source = req.pipe(createInflate());
  else if (encoding !== "identity") {
    req.resume();
    throw new AppError("unsupported_media_type:content_encoding", `Content-Encoding ${encoding} is not supported; use gzip or none.`);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let refused: unknown;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      if (admitChunk) {
        try {
          admitChunk(chunk.length);
        } catch (err) {
          refused = err;
          throw err;
        }
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (source !== req) {
      req.unpipe();
      (source as unknown as { destroy(): void }).destroy();
    }
    req.resume();
    if (err instanceof AppError || (refused !== undefined && err === refused)) throw err;
    throw new AppError("bad_request:body", "The request body could not be read (corrupt compression or aborted upload).", { cause: err });
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large:body", `The request body exceeds ${Math.round(maxBytes / 1024 / 1024)} MB (after decompression).`);
}

/** Parses JSON after checking the content type; a parse failure is a 400 with a clear message. */
export function parseJsonBody(req: IncomingMessage, body: Buffer): unknown {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new AppError("unsupported_media_type:content_type", "Content-Type must be application/json.");
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new AppError("bad_request:json", "The body is not valid JSON.");
  }
}

/** How much of a refused upload is read and thrown away before its connection is closed. */
const LINGER = { bytes: 1024 * 1024, ms: 1_000 };

/**
 * After an answer sent before the body was read (a refusal): reads and discards what the client
 * is still sending, so it can read the answer rather than see a reset, but only up to 1 MB or
 * 1 s after the answer is out. Then the connection is closed: 200 refused 30 MB uploads must not
 * cost the process 6 GB of reading.
 */
export function discardUpload(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  req.resume();
  res.once("finish", () => {
    if (req.complete) return;
    let seen = 0;
    const close = () => {
      clearTimeout(timer);
      req.off("data", count);
      // The socket may be gone already (the client hung up); destroying the request closes it if not.
      if (!req.complete) req.destroy();
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > LINGER.bytes) close();
    };
    const timer = setTimeout(close, LINGER.ms);
    timer.unref();
    req.on("data", count);
    req.once("end", () => {
      clearTimeout(timer);
      req.off("data", count);
    });
  });
}
