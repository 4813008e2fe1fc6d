package io.mailroute.cluster;

import com.marcnuri.helm.Helm;
import io.mailroute.testing.ControlPlane;
import java.nio.file.Path;

/**
 * {@code helm upgrade --install} / {@code helm uninstall} of charts/mailroute-operator for {@code
 * hack/demo.sh node}, through helm-java (the same Helm library ClusterJourneyTest uses): no helm
 * binary is installed on these machines.
 *
 * <pre>java -cp ... io.mailroute.cluster.DemoChart install|uninstall KUBECONFIG</pre>
 */
public final class DemoChart {
    static final String RELEASE = "mr";
    static final String NAMESPACE = "mailroute-system";

    private DemoChart() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("install") || args[0].equals("uninstall"))) {
            System.err.println("usage: DemoChart install|uninstall KUBECONFIG");
            System.exit(2);
        }
        Path kubeconfig = Path.of(args[1]);
        if (args[0].equals("install")) {
            new Helm(ControlPlane.repoRoot().resolve("charts/mailroute-operator"))
                    .upgrade()
                    .install()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .createNamespace()
                    .withKubeConfig(kubeconfig)
                    .set("image.tag", "0.1.0")
                    .set("image.pullPolicy", "Never")
                    .call();
            System.out.println("helm release " + NAMESPACE + "/" + RELEASE + " installed");
        } else {
            Helm.uninstall(RELEASE).withNamespace(NAMESPACE).withKubeConfig(kubeconfig).call();
            System.out.println("helm release " + NAMESPACE + "/" + RELEASE + " uninstalled");
        }
    }
}
