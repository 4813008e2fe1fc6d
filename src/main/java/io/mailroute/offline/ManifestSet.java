package io.mailroute.offline;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.postfix.SafeText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * MailRelays, MailRoutes, Secrets and Namespaces read from YAML files (multi-document, and {@code
 * kind: List}), as a GitOps repository holds them. Objects without a namespace get {@code default},
 * as {@code kubectl apply} would.
 *
 * <p>The files may come from an untrusted pull request, so reading is defensive and every problem
 * is one line in {@link #problems()}, never an exception: symbolic links are not followed (a link
 * to a file outside the checkout is reported, not read), only regular files up to {@link
 * #MAX_FILE_BYTES} are read, YAML nested deeper than {@link #MAX_DEPTH} is refused before it
 * reaches a recursive parser (which would overflow the stack), object names must be valid
 * Kubernetes names (they become output paths), and messages name the file, document, line, object
 * and field but never quote file content (a secret or another file must not leak into a CI log).
 */
public record ManifestSet(
        List<MailRelay> relays,
        List<MailRoute> routes,
        List<Secret> secrets,
        List<Namespace> namespaces,
        List<String> problems) {

    /**
     * Deepest nesting of YAML collections accepted; our objects need about 8, Kubernetes manifests
     * rarely 30.
     */
    public static final int MAX_DEPTH = 64;

    /** Largest file read (bytes); manifests are far smaller, this only bounds memory. */
    public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    /** RFC 1123 label (namespaces), as the Kubernetes API validates it: at most 63 characters. */
    private static final Pattern DNS1123_LABEL =
            Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** RFC 1123 subdomain (object names): labels joined by dots, at most 253 characters. */
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public static ManifestSet read(List<Path> paths) throws IOException {
        KubernetesSerialization yaml = new KubernetesSerialization();
        ManifestSet set =
                new ManifestSet(
                        new ArrayList<>(),
                        new ArrayList<>(),
                        new ArrayList<>(),
                        new ArrayList<>(),
                        new ArrayList<>());
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            set.collect(path, files);
        }
        for (Path file : files) {
            Optional<String> text = set.readFile(file);
            if (text.isEmpty()) {
                continue;
            }
            List<Document> documents = Document.split(text.get());
            for (int i = 0; i < documents.size(); i++) {
                Document document = documents.get(i);
                if (document.text()
                        .lines()
                        .allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                    continue;
                }
                String where =
                        show(file) + (documents.size() > 1 ? " (document " + (i + 1) + ")" : "");
                String syntax = yamlProblem(document);
                if (syntax != null) {
                    set.problems().add(where + ": " + syntax);
                    continue;
                }
                GenericKubernetesResource object;
                try {
                    object = yaml.unmarshal(document.text(), GenericKubernetesResource.class);
                } catch (RuntimeException e) {
                    set.problems()
                            .add(
                                    where
                                            + ": not a Kubernetes object"
                                            + location(e, document.firstLine()));
                    continue;
                }
                set.add(yaml, object, where, false);
            }
        }
        return set;
    }

    /** One YAML document of a file and the file line it starts on (1-based). */
    private record Document(String text, int firstLine) {
        static List<Document> split(String file) {
            List<Document> documents = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            int start = 1;
            int line = 0;
            String[] lines = file.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String text = lines[i];
                line++;
                if (i == lines.length - 1 && text.isEmpty()) {
                    break; // the file ended with a line break
                }
                if (text.stripTrailing().equals("---")) {
                    documents.add(new Document(current.toString(), start));
                    current.setLength(0);
                    start = line + 1;
                } else {
                    current.append(text).append('\n');
                }
            }
            documents.add(new Document(current.toString(), start));
            return documents;
        }
    }

    private void collect(Path path, List<Path> files) throws IOException {
        if (Files.isSymbolicLink(path)) {
            problems.add(show(path) + ": is a symbolic link; links are not followed");
            return;
        }
        BasicFileAttributes attributes;
        try {
            attributes =
                    Files.readAttributes(
                            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            problems.add(show(path) + ": cannot be read (" + e.getClass().getSimpleName() + ")");
            return;
        }
        if (attributes.isRegularFile()) {
            files.add(path);
        } else if (attributes.isDirectory()) {
            // Files.walk does not follow links; a link named like a manifest is reported so it is
            // not missed
            List<Path> entries;
            try (Stream<Path> walk = Files.walk(path)) {
                entries = walk.sorted().toList();
            } catch (IOException | UncheckedIOException e) {
                problems.add(
                        show(path) + ": cannot be listed (" + e.getClass().getSimpleName() + ")");
                return;
            }
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    problems.add(show(p) + ": is a symbolic link; links are not followed");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(p);
                }
            }
        } else {
            problems.add(show(path) + ": is not a regular file or directory");
        }
    }

    /**
     * The file as UTF-8, or empty with a problem; opened with O_NOFOLLOW so a link swapped in is
     * not read.
     */
    private Optional<String> readFile(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            problems.add(
                    show(file)
                            + ": cannot be read ("
                            + e.getClass().getSimpleName()
                            + "; symbolic links are not followed)");
            return Optional.empty();
        }
        if (bytes.length > MAX_FILE_BYTES) {
            problems.add(show(file) + ": is larger than " + MAX_FILE_BYTES + " bytes");
            return Optional.empty();
        }
        try {
            return Optional.of(
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString());
        } catch (CharacterCodingException e) {
            problems.add(show(file) + ": is not UTF-8 text");
            return Optional.empty();
        }
    }

    /**
     * Null when the document is well-formed YAML nested at most {@link #MAX_DEPTH} deep. Checked
     * with the event parser, which keeps its state on the heap: the composer fabric8 uses recurses
     * per level.
     */
    private static String yamlProblem(Document document) {
        int depth = 0;
        try {
            for (Event event :
                    new Parse(LoadSettings.builder().build()).parseString(document.text())) {
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        if (++depth > MAX_DEPTH) {
                            return "nested deeper than "
                                    + MAX_DEPTH
                                    + " levels"
                                    + at(event.getStartMark(), document.firstLine())
                                            .replace("(line", "(near line");
                        }
                    }
                    case MappingEnd, SequenceEnd -> depth--;
                    default -> {}
                }
            }
        } catch (MarkedYamlEngineException e) {
            return "not valid YAML" + at(e.getProblemMark(), document.firstLine());
        } catch (YamlEngineException e) {
            return "not valid YAML";
        }
        return null;
    }

    private static String at(Optional<Mark> mark, int firstLine) {
        return mark.map(
                        m ->
                                " (line "
                                        + (firstLine + m.getLine())
                                        + ", column "
                                        + (m.getColumn() + 1)
                                        + ")")
                .orElse("");
    }

    /** Where Jackson stopped, without its message (which can quote the input). */
    private static String location(Throwable e, int firstLine) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException jpe
                    && jpe.getLocation() != null
                    && jpe.getLocation() != JsonLocation.NA
                    && jpe.getLocation().getLineNr() > 0) {
                return " (line " + (firstLine + jpe.getLocation().getLineNr() - 1) + ")";
            }
        }
        return "";
    }

    /** The JSON path Jackson reports for a type error, e.g. {@code spec.target.hosts[0].port}. */
    private static String fieldPath(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (JsonMappingException.Reference ref : jme.getPath()) {
                    if (ref.getIndex() >= 0) {
                        path.append('[').append(ref.getIndex()).append(']');
                    } else {
                        path.append(path.length() == 0 ? "" : ".")
                                .append(SafeText.oneLine(ref.getFieldName()));
                    }
                }
                return path.toString();
            }
        }
        return "a field";
    }

    private void add(
            KubernetesSerialization yaml,
            GenericKubernetesResource object,
            String where,
            boolean inList) {
        if (object == null || object.getKind() == null) {
            return;
        }
        String kind = object.getKind();
        if (kind.equals("List")) {
            addList(yaml, object, where, inList);
            return;
        }
        if (!List.of("MailRelay", "MailRoute", "Secret", "Namespace").contains(kind)) {
            return; // other objects (Deployments, ...) are not ours to render
        }
        String nameProblem = nameProblem(object);
        if (nameProblem != null) {
            problems.add(where + ": " + kind + " " + nameProblem);
            return;
        }
        if (!kind.equals("Namespace")
                && (object.getMetadata().getNamespace() == null
                        || object.getMetadata().getNamespace().isEmpty())) {
            object.getMetadata().setNamespace("default");
        }
        String name =
                kind
                        + " "
                        + (kind.equals("Namespace")
                                ? ""
                                : object.getMetadata().getNamespace() + "/")
                        + object.getMetadata().getName();
        try {
            switch (kind) {
                case "MailRelay" -> relays.add(yaml.convertValue(object, MailRelay.class));
                case "MailRoute" -> {
                    MailRoute route = yaml.convertValue(object, MailRoute.class);
                    String refProblem = relayRefProblem(route);
                    if (refProblem != null) {
                        problems.add(where + ": " + name + ": " + refProblem);
                    } else {
                        routes.add(route);
                    }
                }
                case "Secret" -> secrets.add(yaml.convertValue(object, Secret.class));
                default -> namespaces.add(yaml.convertValue(object, Namespace.class));
            }
        } catch (RuntimeException e) {
            problems.add(
                    where + ": " + name + ": " + fieldPath(e) + ": has the wrong type or format");
        }
    }

    /**
     * {@code kind: List} (what {@code kubectl get -o yaml} writes): its items are read like
     * documents.
     */
    private void addList(
            KubernetesSerialization yaml,
            GenericKubernetesResource list,
            String where,
            boolean inList) {
        if (inList) {
            problems.add(where + ": a List inside a List is not supported");
            return;
        }
        Object items = list.getAdditionalProperties().get("items");
        if (items == null) {
            return;
        }
        if (!(items instanceof List<?> entries)) {
            problems.add(where + ": List: items: must be a list of objects");
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            String at = where + " items[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?>)) {
                problems.add(at + ": must be an object");
                continue;
            }
            GenericKubernetesResource item;
            try {
                item = yaml.convertValue(entries.get(i), GenericKubernetesResource.class);
            } catch (RuntimeException e) {
                problems.add(at + ": not a Kubernetes object (" + fieldPath(e) + ")");
                continue;
            }
            add(yaml, item, at, true);
        }
    }

    /**
     * Null when metadata.name (and namespace) are valid Kubernetes names, which also makes them
     * safe path segments for {@code render --output-dir} (no '/', no "..", not empty).
     */
    private static String nameProblem(HasMetadata object) {
        if (object.getMetadata() == null
                || object.getMetadata().getName() == null
                || object.getMetadata().getName().isEmpty()) {
            return "without metadata.name: metadata.name must be set";
        }
        String name = object.getMetadata().getName();
        boolean namespaceKind = object.getKind().equals("Namespace");
        Pattern rule = namespaceKind ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
        int max = namespaceKind ? 63 : 253;
        if (name.length() > max || !rule.matcher(name).matches()) {
            return SafeText.quote(name, 80)
                    + ": metadata.name: not a valid Kubernetes name (lower-case letters,"
                    + " digits, '-'"
                    + (namespaceKind ? "" : " and '.'")
                    + ", at most "
                    + max
                    + " characters)";
        }
        String namespace = object.getMetadata().getNamespace();
        if (namespace != null
                && !namespace.isEmpty()
                && !namespaceKind
                && (namespace.length() > 63 || !DNS1123_LABEL.matcher(namespace).matches())) {
            return name
                    + ": metadata.namespace: "
                    + SafeText.quote(namespace, 80)
                    + " is not a valid namespace name"
                    + " (lower-case letters, digits and '-', at most 63 characters)";
        }
        return null;
    }

    private static String relayRefProblem(MailRoute route) {
        if (route.getSpec() == null || route.getSpec().relayRefs == null) {
            return null;
        }
        for (int i = 0; i < route.getSpec().relayRefs.size(); i++) {
            RelayRef ref = route.getSpec().relayRefs.get(i);
            if (ref == null || ref.name == null || ref.name.isEmpty()) {
                return "spec.relayRefs[" + i + "].name: must be set";
            }
        }
        return null;
    }

    private static String show(Path path) {
        return SafeText.oneLine(path.toString());
    }
}
