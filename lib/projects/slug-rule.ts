// Pure and browser-safe: the server's slug rule and the forms' `pattern` attribute come from here.

/**
 * A slug as an HTML `pattern` (the browser anchors it and compiles it with the `v` flag, where a
 * bare `-` at the end of a class is a syntax error and the field is never checked: hence `\-`).
 */
export const SLUG_PATTERN = String.raw`[a-z0-9][a-z0-9\-]{0,62}`;

/** The server's check: the same pattern, anchored. */
export const SLUG_RE = new RegExp(`^(?:${SLUG_PATTERN})$`);
