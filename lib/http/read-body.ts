import type { IncomingMessage } from "node:http";
import { createGunzip, createInflate } from "node:zlib";
import { AppError } from "../errors";

/**
 * Reads a request body up to `maxBytes` after decompression. gzip and deflate are decoded as a
 * stream and cut off at the cap, so a small compressed bomb never expands in memory.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  const declared = Number(req.headers["content-length"]);
  if (encoding === "identity" && Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
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
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (err) {
    if (source !== req) {
      req.unpipe();
      (source as unknown as { destroy(): void }).destroy();
    }
    req.resume();
    if (err instanceof AppError) throw err;
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
