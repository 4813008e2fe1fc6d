package io.mailroute.routing;

import java.util.Objects;

/** What planning decided for one domain of a route on one relay. */
public record DomainOutcome(String domain, String nextHop, State state, String message) {
    /**
     * Programmed: rendered; Conflict: another route owns the domain; Withheld: live validation
     * keeps it out of the configuration.
     */
    public enum State {
        Programmed,
        Conflict,
        Withheld
    }

    /**
     * As the record's own equals, written out (see {@link RouteOutcome#equals}: compared for every
     * domain of a relay at every plan).
     */
    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof DomainOutcome other
                        && state == other.state
                        && Objects.equals(domain, other.domain)
                        && Objects.equals(nextHop, other.nextHop)
                        && Objects.equals(message, other.message));
    }

    /** The record's own hash, written out. */
    @Override
    public int hashCode() {
        int h = Objects.hashCode(domain);
        h = 31 * h + Objects.hashCode(nextHop);
        h = 31 * h + Objects.hashCode(state);
        return 31 * h + Objects.hashCode(message);
    }
}
