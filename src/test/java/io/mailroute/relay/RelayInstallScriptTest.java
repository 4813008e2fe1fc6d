package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's install step (relay-install.pl, called by relay_install): only files that differ from
 * the live ones are replaced, each a complete copy with the candidate's mode and times (Postfix
 * trusts a configuration file only once it is over a second old), nothing temporary is left behind,
 * and a failure says which files are live. The full-volume case is RelayDiskFullTest.
 */
@RealComponents
class RelayInstallScriptTest {

    private static final List<String> FILES =
            List.of("transport.lmdb", "transport", "master.cf", "main.cf");
    private static final FileTime BACKDATED = FileTime.fromMillis(1_700_000_000_000L);

    @TempDir Path dir;
    private Path candidate;
    private Path live;

    @BeforeEach
    void liveConfiguration() throws IOException {
        candidate = Files.createDirectory(dir.resolve("candidate"));
        live = Files.createDirectory(dir.resolve("live"));
        for (String name : FILES) {
            write(candidate, name, "old " + name + "\n");
            write(live, name, "old " + name + "\n");
        }
    }

    @Test
    void nothingChangedReplacesNothing() throws IOException {
        FileTime before = Files.getLastModifiedTime(live.resolve("transport"));

        Commands.Result result = install();

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEmpty();
        assertThat(Files.getLastModifiedTime(live.resolve("transport"))).isEqualTo(before);
        assertThat(temporaryCopies()).isEmpty();
    }

    @Test
    void onlyChangedFilesAreReplacedInOrderWithTheCandidatesModeAndTimes() throws IOException {
        write(candidate, "transport", "a.test smtp:[127.0.0.1]:2602\n".repeat(50_000));
        write(candidate, "transport.lmdb", "new map\u0000\u00ff");
        Files.setPosixFilePermissions(
                candidate.resolve("transport"), PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(candidate.resolve("transport"), BACKDATED);
        FileTime mainCf = Files.getLastModifiedTime(live.resolve("main.cf"));

        Commands.Result result = install();

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().lines()).containsExactly("transport.lmdb", "transport");
        for (String name : List.of("transport", "transport.lmdb")) {
            assertThat(Files.readAllBytes(live.resolve(name)))
                    .as(name)
                    .isEqualTo(Files.readAllBytes(candidate.resolve(name)));
        }
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(live.resolve("transport"))))
                .isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(live.resolve("transport"))).isEqualTo(BACKDATED);
        assertThat(Files.getLastModifiedTime(live.resolve("main.cf")))
                .as("main.cf, equal to the live one, is left alone")
                .isEqualTo(mainCf);
        assertThat(temporaryCopies()).isEmpty();
    }

    @Test
    void aMissingCandidateFileRenamesNothing() throws IOException {
        write(candidate, "transport", "changed\n");
        Files.delete(candidate.resolve("main.cf"));

        Commands.Result result = install();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout().strip())
                .startsWith("cannot copy main.cf into " + live + ": ")
                .endsWith("No such file or directory");
        assertThat(Files.readString(live.resolve("transport")))
                .as("no file goes live when any copy fails")
                .isEqualTo("old transport\n");
        assertThat(temporaryCopies()).isEmpty();
    }

    @Test
    void aRenameFailingHalfWaySaysWhichFilesAreLive() throws IOException {
        write(candidate, "transport", "changed\n");
        write(candidate, "main.cf", "changed\n");
        // rename(2) of a file over a non-empty directory fails (EISDIR)
        Files.delete(live.resolve("main.cf"));
        Files.createDirectories(live.resolve("main.cf").resolve("in-the-way"));

        Commands.Result result = install();

        assertThat(result.exitCode()).isEqualTo(2);
        List<String> lines = result.stdout().lines().toList();
        assertThat(lines.subList(0, lines.size() - 1)).containsExactly("transport");
        assertThat(lines.get(lines.size() - 1))
                .startsWith("installed only partly, main.cf and later files were not replaced: ");
        assertThat(Files.readString(live.resolve("transport"))).isEqualTo("changed\n");
        assertThat(temporaryCopies()).isEmpty();
    }

    private Commands.Result install() {
        List<String> command = new ArrayList<>();
        command.add("perl");
        command.add(RelayInstance.SCRIPTS.resolve("relay-install.pl").toString());
        command.add(candidate.toString());
        command.add(live.toString());
        command.addAll(FILES);
        return Commands.run(command, Map.of(), Duration.ofSeconds(20));
    }

    private List<String> temporaryCopies() throws IOException {
        try (Stream<Path> files = Files.list(live)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".new"))
                    .toList();
        }
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
