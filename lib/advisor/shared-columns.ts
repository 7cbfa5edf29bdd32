/**
 * A column of n zeros on a SharedArrayBuffer: a loaded window's columns are made so, so sending
 * them to the advisor's helper thread shares them instead of copying (traffic-share.ts). Where
 * SharedArrayBuffer is missing (a browser page that is not cross-origin isolated), a plain one.
 */
export function sharedColumn<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(ctor: { new (buffer: SharedArrayBuffer | ArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  const Buffer = typeof SharedArrayBuffer === "function" ? SharedArrayBuffer : ArrayBuffer;
  return new ctor(new Buffer(n * ctor.BYTES_PER_ELEMENT));
}
