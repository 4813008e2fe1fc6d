package io.mailroute.command;

import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.StaticZone;
import org.xbill.DNS.Rcode;

/**
 * A loopback DNS server for zone {@code verdict.test} with one domain per verdict: {@code pass.},
 * {@code warn.} (MX host is a CNAME), {@code fail.} (null MX) and {@code retry.} (every question
 * about it gets SERVFAIL).
 */
final class VerdictZone {
    static final String PASS = "pass.verdict.test";
    static final String WARN = "warn.verdict.test";
    static final String FAIL = "fail.verdict.test";
    static final String RETRY = "retry.verdict.test";

    private static final StaticZone ZONE =
            StaticZone.parse(
                    "verdict.test",
                    """
            @      SOA   ns hostmaster 1 3600 600 86400 60
            pass   MX    10 mail
            warn   MX    10 alias
            alias  CNAME mail
            fail   MX    0 .
            mail   A     192.0.2.25
            """);

    private VerdictZone() {}

    /** Starts the server (UDP and TCP); close it after the test. */
    static FaultDnsServer start() {
        return FaultDnsServer.start(
                (query, tcp) -> {
                    if (!query.getQuestion().getName().toString().equals(RETRY + ".")) {
                        return ZONE.answer(query);
                    }
                    var reply = StaticZone.replyTo(query);
                    reply.getHeader().setRcode(Rcode.SERVFAIL);
                    return reply;
                },
                true);
    }
}
