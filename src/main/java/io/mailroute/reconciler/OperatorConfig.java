package io.mailroute.reconciler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator settings ({@code mailroute.*} in application.properties or MAILROUTE_* environment variables). */
@ConfigMapping(prefix = "mailroute")
public interface OperatorConfig {
    /** Relay settings. */
    Relay relay();

    /** Relay defaults. */
    interface Relay {
        /** Image of the Postfix relay when a MailRelay does not name one. */
        @WithDefault("mailroute/postfix-relay:0.1.0")
        String image();
    }
}
