/** Thrown while reading one span: that span is rejected with this message, the request goes on. */
export class SpanError extends Error {}
