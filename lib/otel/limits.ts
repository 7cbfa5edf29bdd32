/** Caps of the OTLP receiver (README "OpenTelemetry receiver"). */
export function otlpLimits(env: Readonly<Record<string, string | undefined>> = process.env) {
  const mb = Number(env.PITWALL_OTLP_MAX_BODY_MB);
  return {
    // After decompression. Exporters batch 512 spans by default; this leaves room for big ones.
    maxBodyBytes: (Number.isFinite(mb) && mb > 0 ? mb : 16) * 1024 * 1024,
    maxSpansPerRequest: 10_000,
  };
}
