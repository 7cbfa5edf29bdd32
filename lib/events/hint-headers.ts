// Pure and browser-safe: the names of the headers a caller sets on a gateway call to label it, so
// the pages that tell users which header to send name the one the gateway reads.

/** Groups a call into a session (the Sessions page lists them). */
export const SESSION_HEADER = "x-pitwall-session";
