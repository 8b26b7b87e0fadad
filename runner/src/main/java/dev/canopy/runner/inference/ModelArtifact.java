package dev.canopy.runner.inference;

import ai.djl.Model;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The self-contained model artifact: a zip of {@code spec.json} (the {@link ModelSpec}) and the DJL parameter file that
 * {@link Model#save} writes ({@code <name>-NNNN.params}).
 */
public final class ModelArtifact {

    static final String SPEC_ENTRY = "spec.json";
    private static final String PARAMS_SUFFIX = ".params";
    /**
     * What an uploaded archive's parameter file is stored as when its name is not a plain file name ({@link
     * #PLAIN_PARAMS_NAME}): the archive is served back for download as stored, and a name such as {@code
     * ..\..\x.params} or {@code C:x.params} would be a path outside the folder a careless unzip writes to.
     */
    static final String STORED_PARAMS_ENTRY = "model-0000.params";

    private static final Pattern PLAIN_PARAMS_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.params");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads spec.json strictly: no field twice, no fraction for a whole number, no text for a number ("1.0"), and
     * nothing after the object, no null for a number.
     */
    private static final ObjectReader SPEC_READER = specReader();

    private static ObjectReader specReader() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // Nor a number or true/false for text ("djlVersion": 36).
        for (CoercionInputShape shape : new CoercionInputShape[] {
            CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper.readerFor(ModelSpec.class)
                // A null where a number belongs ("std": null) would be read as 0.
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .withFeatures(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * The two parts of an artifact: the spec read, and the parameter file; with the spec's bytes, the parameter
     * file's name and which came first, as the archive holds them.
     */
    record Contents(ModelSpec spec, byte[] parameters, byte[] specJson, String parametersEntry, boolean specFirst) {}

    private ModelArtifact() {}

    /** Zips the spec with the parameters of {@code model} (whose block must be built from that spec). */
    public static byte[] write(ModelSpec spec, Model model) throws IOException {
        Path directory = Files.createTempDirectory("canopy-model");
        try {
            model.save(directory, model.getName());
            Path params;
            try (Stream<Path> files = Files.list(directory)) {
                params = files.filter(p -> p.toString().endsWith(PARAMS_SUFFIX))
                        .findFirst()
                        .orElseThrow(() -> new IOException("Model.save wrote no .params file"));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                put(zip, SPEC_ENTRY, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(spec));
                put(zip, params.getFileName().toString(), Files.readAllBytes(params));
            }
            return bytes.toByteArray();
        } finally {
            deleteRecursively(directory);
        }
    }

    /**
     * Most bytes an artifact may expand to: parameters barely compress and a spec is small, so a zip that expands
     * further is refused before it can fill memory (a zip bomb).
     */
    static long expansionLimit(int artifactBytes) {
        return 4L * artifactBytes + (1 << 20);
    }

    /**
     * Whether the stream is a zip holding a {@code spec.json}: an artifact of the built-in recipes (or one shaped
     * like it), which {@link TabularModel#load} must be able to load. A recipe of a team's own may store its model in
     * a format of its own. Reads as far as that entry (or the end), holding no more than a buffer; closes the stream.
     */
    public static boolean hasSpec(InputStream artifact) {
        try (ZipInputStream zip = new ZipInputStream(artifact)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(SPEC_ENTRY)) {
                    return true;
                }
            }
            return false;
        } catch (ZipException | EOFException | IllegalArgumentException e) {
            // Not a zip, or a broken one: no spec.
            return false;
        } catch (IOException e) {
            // The stream failed (a store's disk): no answer either way.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The artifact as this class writes it: its spec.json and .params entries, byte for byte, in a zip of their
     * own, so that nothing else a zip can carry (a comment, bytes after its end) is stored, and the parameter file
     * under {@link #STORED_PARAMS_ENTRY} unless its name is a plain one. For an artifact that
     * {@link #read} accepts; {@link IllegalArgumentException} otherwise.
     */
    public static byte[] canonical(byte[] artifact) {
        Contents contents = read(artifact);
        String name = PLAIN_PARAMS_NAME.matcher(contents.parametersEntry()).matches()
                ? contents.parametersEntry()
                : STORED_PARAMS_ENTRY;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(artifact.length);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            // In the order the archive held them, as a zip of the same entries always comes out the same.
            if (contents.specFirst()) {
                put(zip, SPEC_ENTRY, contents.specJson());
                put(zip, name, contents.parameters());
            } else {
                put(zip, name, contents.parameters());
                put(zip, SPEC_ENTRY, contents.specJson());
            }
        } catch (IOException e) {
            throw new IllegalStateException("a zip written to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Reads an artifact; {@link IllegalArgumentException} when it is not one. */
    static Contents read(byte[] artifact) {
        ModelSpec spec = null;
        byte[] specJson = null;
        byte[] parameters = null;
        String parametersEntry = null;
        boolean specFirst = false;
        long left = expansionLimit(artifact.length);
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(artifact))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                // Exactly what is loaded and served: anything else would be stored unread (and unlimited), and a
                // second spec or parameter file would leave open which one is served.
                if (name.equals(SPEC_ENTRY) && spec == null) {
                    specJson = readAtMost(zip, left, artifact.length);
                    specFirst = parameters == null;
                    left -= specJson.length;
                    spec = spec(specJson);
                } else if (name.endsWith(PARAMS_SUFFIX) && !name.contains("/") && parameters == null) {
                    parameters = readAtMost(zip, left, artifact.length);
                    parametersEntry = name;
                    left -= parameters.length;
                } else {
                    throw new IllegalArgumentException("not a model artifact: it holds '" + abbreviated(name)
                            + "'; an artifact holds spec.json and one .params file, at its top level, and nothing"
                            + " else");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable model artifact: " + e.getMessage(), e);
        }
        if (spec == null || parameters == null) {
            throw new IllegalArgumentException("not a model artifact: it needs spec.json and a .params file");
        }
        return new Contents(spec, parameters, specJson, parametersEntry, specFirst);
    }

    /** The spec.json entry read and checked ({@link SpecRules}); its problem named without Jackson's class names. */
    private static ModelSpec spec(byte[] content) {
        ModelSpec spec;
        try {
            spec = SPEC_READER.readValue(content);
            if (spec == null) {
                throw new IllegalArgumentException("spec.json is null, not a model spec");
            }
        } catch (ValueInstantiationException e) {
            throw new IllegalArgumentException(
                    "spec.json: "
                            + (e.getCause() == null
                                    ? "a field is missing or has the wrong type"
                                    : e.getCause().getMessage()),
                    e);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("spec.json: unknown field '" + e.getPropertyName() + "'", e);
        } catch (MismatchedInputException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw new IllegalArgumentException("spec.json: text after the JSON object", e);
            }
            throw new IllegalArgumentException("spec.json: field '" + path(e) + "' has the wrong type or value", e);
        } catch (JsonParseException e) {
            String original = e.getOriginalMessage();
            throw new IllegalArgumentException(
                    "spec.json is not valid JSON"
                            + (original != null && original.startsWith("Duplicate field") ? ": " + original : "")
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ")"),
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException("spec.json is not a model spec", e);
        }
        SpecRules.check(spec);
        return spec;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String abbreviated(String name) {
        String printable = name.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return printable.length() <= 100 ? printable : printable.substring(0, 100) + "…";
    }

    /** The current entry, refused once it passes {@code limit} bytes. */
    private static byte[] readAtMost(ZipInputStream zip, long limit, int artifactBytes) throws IOException {
        return ZipEntries.readAtMost(
                zip,
                limit,
                () -> "not a model artifact: its " + artifactBytes + " bytes expand to more than "
                        + expansionLimit(artifactBytes) + " bytes");
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        // A fixed time makes the same model give the same artifact bytes.
        entry.setTime(0L);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // A temporary directory left behind must not fail a save that has already succeeded.
            directory.toFile().deleteOnExit();
        }
    }
}
