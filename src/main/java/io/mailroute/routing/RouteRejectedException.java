package io.mailroute.routing;

/**
 * A route that cannot be rendered, with a CamelCase reason for its conditions and a message for
 * humans.
 */
public class RouteRejectedException extends Exception {
    private final String reason;

    public RouteRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
