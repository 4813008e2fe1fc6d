package io.mailroute.validation;

import io.mailroute.dns.HostReport;
import io.mailroute.dns.MxReport;

/** The DNS questions validation asks; implemented by {@code io.mailroute.dns.MxLookupService}. */
public interface DnsChecks {
    MxReport check(String domain);

    HostReport checkHost(String host);
}
