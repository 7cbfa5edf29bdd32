import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { endlessUpload, streamedPost } from "./testing/endless-upload";
import { readJson, readText } from "./web-handler";

describe("readJson", () => {
  it("stops reading an oversized body at the cap instead of buffering all of it (413)", async () => {
    const upload = endlessUpload();
    const err = await readJson(streamedPost("http://localhost/api/v1/x", upload.body), 16 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(413);
    expect(upload.pulled()).toBeLessThanOrEqual(2);
  });

  it("refuses a declared Content-Length over the cap before reading", async () => {
    const req = new Request("http://localhost/x", { method: "POST", headers: { "content-type": "application/json", "content-length": "999999" }, body: "{}" });
    await expect(readJson(req, 1024)).rejects.toMatchObject({ status: 413 });
  });

  it("reads a body within the cap, a leading BOM included", async () => {
    const req = new Request("http://localhost/x", { method: "POST", headers: { "content-type": "application/json" }, body: '\uFEFF{"a":"é"}' });
    expect(await readJson(req, 1024)).toEqual({ a: "é" });
    expect(await readText(new Request("http://localhost/x", { method: "POST" }), 10)).toBe("");
  });
});
