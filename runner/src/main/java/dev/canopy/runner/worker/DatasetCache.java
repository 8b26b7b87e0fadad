package dev.canopy.runner.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Dataset versions on the runner's disk, by content hash: a version is downloaded once and checked. */
final class DatasetCache {

    interface Download {
        void to(Path file) throws IOException, InterruptedException;
    }

    private final Path directory;

    DatasetCache(Path workDir) {
        this.directory = workDir.resolve("datasets");
    }

    Path get(String sha256, Download download) throws IOException, InterruptedException {
        Path file = directory.resolve(sha256 + ".csv");
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, sha256, ".part");
        try {
            download.to(partial);
            String actual = sha256Of(partial);
            if (!actual.equals(sha256)) {
                throw new IOException("Dataset download is corrupt: sha256 " + actual + ", expected " + sha256);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static String sha256Of(Path file) throws IOException {
        try (DigestInputStream in =
                new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
