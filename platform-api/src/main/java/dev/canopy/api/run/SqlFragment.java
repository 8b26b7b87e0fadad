package dev.canopy.api.run;

import java.util.List;

/**
 * A piece of SQL with JDBC {@code ?} placeholders and the values to bind to them, in placeholder order. The SQL
 * text is made only of fixed vocabulary; everything a client sent travels in {@link #parameters()}.
 */
record SqlFragment(String sql, List<Object> parameters) {

    SqlFragment {
        parameters = List.copyOf(parameters);
    }
}
