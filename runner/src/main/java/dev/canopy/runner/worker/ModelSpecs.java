package dev.canopy.runner.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The spec a model artifact carries ({@code spec.json} in its zip), sent along so the registry can show it. */
final class ModelSpecs {

    private ModelSpecs() {}

    static Map<String, Object> specOf(byte[] artifact) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(artifact))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals("spec.json")) {
                    return new ObjectMapper().readValue(zip.readAllBytes(), new TypeReference<>() {});
                }
            }
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("The model artifact is not a readable zip", e);
        }
    }
}
