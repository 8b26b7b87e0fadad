package dev.canopy.api.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into the one {@link ErrorResponse} body; stack traces go to the log only. */
class ErrorMappers {

    @ServerExceptionMapper
    Response apiException(ApiException e) {
        return respond(e.code().status(), e.toResponse());
    }

    @ServerExceptionMapper
    Response constraintViolation(ConstraintViolationException e) {
        List<ErrorResponse.Detail> details = e.getConstraintViolations().stream()
                .map(v -> new ErrorResponse.Detail(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(ErrorResponse.Detail::field))
                .toList();
        String message = details.stream()
                .map(d -> d.field() + ": " + d.problem())
                .collect(Collectors.joining("; ", "Invalid request: ", ""));
        return respond(400, ErrorResponse.of(ErrorCode.INVALID_REQUEST, message, details));
    }

    /** More specific than Quarkus's own mapper for this type, which answers with an empty body. */
    @ServerExceptionMapper
    Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    Response malformedJson(JsonProcessingException e) {
        ApiException within = apiExceptionWithin(e);
        if (within != null) {
            // Thrown while the parser read (a body past its limit): Jackson wraps what its input stream throws.
            return apiException(within);
        }
        String field = e instanceof JsonMappingException mapping ? pathOf(mapping) : "";
        String location = e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
        String problem = problemOf(e);
        List<ErrorResponse.Detail> details =
                field.isEmpty() ? List.of() : List.of(new ErrorResponse.Detail(field, problem));
        return respond(
                400,
                ErrorResponse.of(ErrorCode.INVALID_REQUEST, "Malformed JSON" + location + ": " + problem, details));
    }

    @ServerExceptionMapper
    Response webApplication(WebApplicationException e) {
        ApiException within = apiExceptionWithin(e);
        if (within != null) {
            return apiException(within);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return internal(e);
        }
        ErrorCode code =
                switch (status) {
                    case 401 -> ErrorCode.UNAUTHENTICATED;
                    case 403 -> ErrorCode.FORBIDDEN;
                    case 404 -> ErrorCode.NOT_FOUND;
                    case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                    default -> ErrorCode.INVALID_REQUEST;
                };
        String message = status == 404 ? "No such resource" : e.getMessage();
        return respond(status, ErrorResponse.of(code, message, List.of()));
    }

    @ServerExceptionMapper
    Response unexpected(Throwable e, HttpServerRequest request) {
        if (clientWentAway(e)) {
            // The client's own doing (it stopped, or its proxy timed out): nothing to fix here, and nobody reads the
            // answer. Whatever the request was writing was not stored.
            Log.infof(
                    "%s %s: the client closed its connection before its request was read whole",
                    request.method(), request.path());
            return respond(
                    400,
                    ErrorResponse.of(
                            ErrorCode.INVALID_REQUEST,
                            "The connection was closed before the request was read whole",
                            List.of()));
        }
        if (DatabaseErrors.unstorableText(e)) {
            // Nothing was written: the statement that carried the text failed, and its transaction with it.
            return respond(
                    400,
                    ErrorResponse.of(
                            ErrorCode.INVALID_REQUEST,
                            "Text in the request (a name, a description, a tag) holds the NUL character (\\u0000),"
                                    + " which cannot be stored",
                            List.of()));
        }
        if (DatabaseErrors.uniqueViolation(e)) {
            // Two requests created the same name at the same moment: the second lost the race the first's check
            // could not see. Nothing was written for it.
            Log.debugf("A write conflicted with one committed at the same moment: %s", e.getMessage());
            return respond(
                    409,
                    ErrorResponse.of(
                            ErrorCode.CONFLICT,
                            "It conflicts with something created at the same moment (a name already taken); look"
                                    + " it up, or try again with another name",
                            List.of()));
        }
        if (DatabaseErrors.unreachable(e)) {
            // A database outage or failover: every request fails alike for a while, and a stack trace each helps
            // nobody. A connection that broke as the transaction committed leaves its outcome unknown.
            Log.warnf(
                    "%s %s: the database cannot be reached (%s)",
                    request.method(),
                    request.path(),
                    Causes.find(e, SQLException.class, sql -> true)
                            .map(Throwable::getMessage)
                            .orElse(""));
            return Response.fromResponse(respond(
                            503,
                            ErrorResponse.of(
                                    ErrorCode.INTERNAL,
                                    "The database cannot be reached at the moment; try again shortly (a write may"
                                            + " have been stored if the connection broke as it committed)",
                                    List.of())))
                    .header("Retry-After", "5")
                    .build();
        }
        return internal(e);
    }

    /** Whether reading the request failed because its connection was closed (by the client, or on its way). */
    private static boolean clientWentAway(Throwable e) {
        return Causes.find(
                        e,
                        Throwable.class,
                        c -> c instanceof HttpClosedException || c instanceof ClosedChannelException)
                .isPresent();
    }

    /** The first of {@code e}'s causes that is one of ours, if any. */
    private static ApiException apiExceptionWithin(Throwable e) {
        return e.getCause() == null
                ? null
                : Causes.find(e.getCause(), ApiException.class, c -> true).orElse(null);
    }

    private static Response internal(Throwable e) {
        String errorId = UUID.randomUUID().toString();
        Log.errorf(e, "Unexpected error %s", errorId);
        return respond(
                500,
                new ErrorResponse(
                        ErrorCode.INTERNAL,
                        "Internal error; the server log holds the details under error id " + errorId,
                        List.of(),
                        errorId));
    }

    private static Response respond(int status, ErrorResponse body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(body)
                .build();
    }

    /** "create.request.points[3].key" becomes "points[3].key": the method and parameter are noise. */
    private static String fieldOf(ConstraintViolation<?> violation) {
        List<String> parts = new ArrayList<>();
        String parameter = "";
        for (Path.Node node : violation.getPropertyPath()) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, CROSS_PARAMETER, RETURN_VALUE -> parts.clear();
                case PARAMETER -> {
                    parts.clear();
                    parameter = node.getName();
                }
                default -> {
                    // A node in a list or map carries its place there; it belongs to the node before it:
                    // inputs[0].name, or inputs[0] itself for a container element (named "<list element>").
                    if (node.isInIterable() && !parts.isEmpty()) {
                        String container = parts.remove(parts.size() - 1);
                        parts.add(
                                node.getIndex() != null
                                        ? container + "[" + node.getIndex() + "]"
                                        : node.getKey() != null ? container + "." + node.getKey() : container);
                    }
                    if (node.getKind() != ElementKind.CONTAINER_ELEMENT) {
                        parts.add(node.getName());
                    }
                }
            }
        }
        return parts.isEmpty() ? parameter : String.join(".", parts);
    }

    /** What was wrong, in the API's words: a value of the wrong type names the type wanted, not a Java class. */
    private static String problemOf(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null
                    ? List.of()
                    : unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .toList();
            return "is not a field here" + (known.isEmpty() ? "" : "; the fields are " + String.join(", ", known));
        }
        if (e instanceof MismatchedInputException
                && String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
            return "text after the JSON value";
        }
        if (e instanceof MismatchedInputException mismatch
                && !(e instanceof UnrecognizedPropertyException)
                && mismatch.getTargetType() != null) {
            return "must be " + expected(mismatch.getTargetType());
        }
        return e.getOriginalMessage() == null ? "malformed JSON" : firstLine(e.getOriginalMessage());
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(Object::toString)
                            .collect(Collectors.joining(", "));
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        if (type == Instant.class) {
            return "an ISO-8601 instant up to the year 9999, such as 2026-12-31T23:59:59Z";
        }
        return "a value of another type";
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
