package dev.canopy.api.error;

import java.util.Optional;
import java.util.function.Predicate;

/** Looks through a failure and its causes, as wrapped by the layers it passed (Jackson, RESTEasy, Hibernate, JDBC). */
final class Causes {

    private Causes() {}

    /** The first of {@code e} and its causes that is a {@code type} and {@code matches}. */
    static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type, Predicate<T> matches) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause) && matches.test(type.cast(cause))) {
                return Optional.of(type.cast(cause));
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }
}
