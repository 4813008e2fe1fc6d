package io.mailroute.postfix;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The rendered Postfix files of one relay. {@code main.cf}, {@code transport} and {@code
 * tls_policy} may be published (e.g. in a ConfigMap, see {@link #publicFiles()}); {@code
 * sasl_passwd} holds passwords and belongs in a Secret. The map files are sources for {@code
 * postmap lmdb:FILE}.
 *
 * @param mainCf main.cf
 * @param transport transport map source
 * @param tlsPolicy smtp_tls_policy_maps source
 * @param saslPasswd smtp_sasl_password_maps source, empty string when no next hop has credentials
 * @param transportLines the transport map entries (no comments), in file order
 * @param masterServices master.cf entries of the routes' own delivery transports ({@link
 *     TransportSettings}), appended by the relay to its fixed master.cf; empty string when no route
 *     has one
 */
public record PostfixConfig(
        String mainCf,
        String transport,
        String tlsPolicy,
        String saslPasswd,
        List<String> transportLines,
        String masterServices) {

    /** File name of the main configuration. */
    public static final String MAIN_CF = "main.cf";

    /** File name of the transport map source. */
    public static final String TRANSPORT = "transport";

    /** File name of the TLS policy map source. */
    public static final String TLS_POLICY = "tls_policy";

    /**
     * File name of the routes' master.cf entries; published (and hashed) only when not empty, so
     * that the files and the hash of a configuration without route transports are exactly what
     * relays before this file expect.
     */
    public static final String MASTER_SERVICES = "master_services";

    /** File name of the SASL password map source; never part of {@link #publicFiles()}. */
    public static final String SASL_PASSWD = "sasl_passwd";

    /**
     * Entry of the relay's SASL Secret keying the HMAC of {@code sasl_passwd} in {@link
     * #hash(String)}.
     */
    public static final String HASH_KEY = "hash-key";

    /**
     * Longest hash key: one SHA-256 block, so the relay's shell HMAC never has to hash the key
     * first.
     */
    public static final int MAX_HASH_KEY_BYTES = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A configuration without route transports. */
    public PostfixConfig(
            String mainCf,
            String transport,
            String tlsPolicy,
            String saslPasswd,
            List<String> transportLines) {
        this(mainCf, transport, tlsPolicy, saslPasswd, transportLines, "");
    }

    /** Requires every file to be present (possibly empty). */
    public PostfixConfig {
        Objects.requireNonNull(mainCf, MAIN_CF);
        Objects.requireNonNull(masterServices, MASTER_SERVICES);
        Objects.requireNonNull(transport, TRANSPORT);
        Objects.requireNonNull(tlsPolicy, TLS_POLICY);
        Objects.requireNonNull(saslPasswd, SASL_PASSWD);
        transportLines = List.copyOf(transportLines);
    }

    /** True when {@code sasl_passwd} has entries and main.cf enables SMTP AUTH. */
    public boolean hasSasl() {
        return !saslPasswd.isEmpty();
    }

    /**
     * main.cf, transport, tls_policy and (when not empty) master_services by file name; safe to
     * publish, never contains {@code sasl_passwd}.
     */
    public SortedMap<String, String> publicFiles() {
        SortedMap<String, String> files = new TreeMap<>();
        files.put(MAIN_CF, mainCf);
        if (!masterServices.isEmpty()) {
            files.put(MASTER_SERVICES, masterServices);
        }
        files.put(TRANSPORT, transport);
        files.put(TLS_POLICY, tlsPolicy);
        return files;
    }

    /**
     * The public configuration hash (lowercase hex), safe to publish in a ConfigMap, in status and
     * on the relay's unauthenticated status endpoint: SHA-256 over the public files and, in place
     * of {@code sasl_passwd}, its HMAC-SHA256 keyed with {@code hashKey} (the {@value #HASH_KEY}
     * entry of the relay's SASL Secret). Without that key nobody can test password guesses against
     * the hash. Each file is framed by its name and length, so content cannot shift between files.
     * The relay computes the same value (relay-lib.sh {@code relay_config_hash}).
     *
     * @param hashKey the key, at most 64 bytes (UTF-8); may be null only when there are no
     *     credentials
     * @throws IllegalArgumentException when there are credentials and the key is missing, empty or
     *     too long
     */
    public String hash(String hashKey) {
        return hash(hashKey, Map.of());
    }

    /**
     * {@link #hash(String)}, with the UTF-8 bytes of some public files already at hand, so that
     * they are not encoded again: {@code utf8} maps a file name to pieces that together (in order)
     * are exactly the UTF-8 encoding of that file of this configuration. Not checked: the caller
     * encoded them from these very files.
     */
    public String hash(String hashKey, Map<String, List<byte[]>> utf8) {
        SortedMap<String, String> files = publicFiles();
        files.put(SASL_PASSWD, hasSasl() ? "hmac-sha256:" + hmacSha256(hashKey, saslPasswd) : "");
        MessageDigest digest = sha256();
        for (Map.Entry<String, String> file : files.entrySet()) {
            List<byte[]> pieces = utf8.get(file.getKey());
            if (pieces == null || file.getKey().equals(SASL_PASSWD)) {
                pieces = List.of(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
            long length = 0;
            for (byte[] piece : pieces) {
                length += piece.length;
            }
            digest.update((file.getKey() + "\0" + length + "\0").getBytes(StandardCharsets.UTF_8));
            for (byte[] piece : pieces) {
                digest.update(piece);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** HMAC-SHA256 (lowercase hex) of {@code message} keyed with the UTF-8 bytes of {@code key}. */
    static String hmacSha256(String key, String message) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a configuration with credentials needs a hash key");
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length > MAX_HASH_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "the hash key is longer than " + MAX_HASH_KEY_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides HmacSHA256", e);
        }
    }

    /** A new random hash key: 32 random bytes as 64 lowercase hex characters. */
    public static String newHashKey() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Like the record default, but with the SASL passwords redacted. */
    @Override
    public String toString() {
        return "PostfixConfig[mainCf="
                + mainCf
                + ", transport="
                + transport
                + ", tlsPolicy="
                + tlsPolicy
                + ", saslPasswd="
                + (hasSasl() ? "<redacted>" : "")
                + ", masterServices="
                + masterServices
                + "]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
