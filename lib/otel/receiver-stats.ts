/** Process-wide counts of what the OTLP receiver did with the spans it was sent. */
export const receiverStats = { accepted: 0, duplicates: 0, ignored: 0, rejected: 0 };
