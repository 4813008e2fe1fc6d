/**
 * Pure-Java DNS engine that proves mail routes: MX classification (RFC 5321, RFC 7505), address
 * resolution of every exchange, TCP retry of truncated answers, per-resolver comparison and a
 * TTL-honouring cache. Entry point: {@link io.mailroute.dns.MxLookupService}.
 *
 * <p>A failed MX lookup is never treated as "no MX": only a definitive NODATA answer leads to the
 * implicit MX (the domain's own A/AAAA records).
 */
package io.mailroute.dns;
