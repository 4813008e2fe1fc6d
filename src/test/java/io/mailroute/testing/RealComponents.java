package io.mailroute.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test on real components (API server, Postfix, the knot DNS server, Helm, containerd images, the
 * cluster, other processes): tagged {@value #TAG}, it runs in the integration tier ({@code mvn
 * verify}), not in {@code mvn test}. TestTiersTest finds test classes that use such components
 * without this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RealComponents.TAG)
public @interface RealComponents {
    String TAG = "integration";
}
