package io.mailroute.routing;

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
}
