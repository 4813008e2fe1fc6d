package io.mailroute.postfix;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rendered Postfix files of one relay. {@code main.cf}, {@code transport} and {@code tls_policy} may be
 * published (e.g. in a ConfigMap, see {@link #publicFiles()}); {@code sasl_passwd} holds passwords and belongs
 * in a Secret. The map files are sources for {@code postmap lmdb:FILE}.
 *
 * @param mainCf         main.cf
 * @param transport      transport map source
 * @param tlsPolicy      smtp_tls_policy_maps source
 * @param saslPasswd     smtp_sasl_password_maps source, empty string when no next hop has credentials
 * @param transportLines the transport map entries (no comments), in file order
 */
public record PostfixConfig(String mainCf, String transport, String tlsPolicy, String saslPasswd,
                            List<String> transportLines) {

    /** File name of the main configuration. */
    public static final String MAIN_CF = "main.cf";
    /** File name of the transport map source. */
    public static final String TRANSPORT = "transport";
    /** File name of the TLS policy map source. */
    public static final String TLS_POLICY = "tls_policy";
    /** File name of the SASL password map source; never part of {@link #publicFiles()}. */
    public static final String SASL_PASSWD = "sasl_passwd";

    /** Requires every file to be present (possibly empty). */
    public PostfixConfig {
        Objects.requireNonNull(mainCf, MAIN_CF);
        Objects.requireNonNull(transport, TRANSPORT);
        Objects.requireNonNull(tlsPolicy, TLS_POLICY);
        Objects.requireNonNull(saslPasswd, SASL_PASSWD);
        transportLines = List.copyOf(transportLines);
    }

    /** True when {@code sasl_passwd} has entries and main.cf enables SMTP AUTH. */
    public boolean hasSasl() {
        return !saslPasswd.isEmpty();
    }

    /** main.cf, transport and tls_policy by file name; safe to publish, never contains {@code sasl_passwd}. */
    public SortedMap<String, String> publicFiles() {
        SortedMap<String, String> files = new TreeMap<>();
        files.put(MAIN_CF, mainCf);
        files.put(TRANSPORT, transport);
        files.put(TLS_POLICY, tlsPolicy);
        return files;
    }

    /**
     * SHA-256 (lowercase hex) over every file including {@code sasl_passwd}; equal for equal files and different
     * when any file changes. Each file is framed by its name and length, so content cannot shift between files.
     */
    public String hash() {
        SortedMap<String, String> files = publicFiles();
        files.put(SASL_PASSWD, saslPasswd);
        MessageDigest digest = sha256();
        for (Map.Entry<String, String> file : files.entrySet()) {
            byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
            digest.update((file.getKey() + "\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            digest.update(content);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Like the record default, but with the SASL passwords redacted. */
    @Override
    public String toString() {
        return "PostfixConfig[mainCf=" + mainCf + ", transport=" + transport + ", tlsPolicy=" + tlsPolicy
                + ", saslPasswd=" + (hasSasl() ? "<redacted>" : "") + "]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
