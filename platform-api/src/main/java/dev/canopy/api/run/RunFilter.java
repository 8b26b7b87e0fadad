package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import java.util.List;

/**
 * The {@code filter} of a run search, parsed: a boolean expression over a run's metrics, params, tags and
 * attributes, in a language close to MLflow's.
 *
 * <pre>
 * metrics.acc &gt; 0.9 and params.lr = '0.01'
 * status in ('finished', 'failed') or tags.team is null
 * not (experiment like 'bert-%' and createdAt &gt;= '2026-01-02')
 * </pre>
 *
 * <p>{@code and}, {@code or}, {@code not} and parentheses, with NOT binding tighter than AND, AND tighter than OR;
 * comparisons {@code = != <> < <= > >= like ilike in, not in, is null, is not null}; values in single or double
 * quotes (a doubled quote inside is a literal one) or numbers. Fields are {@code metrics.<key>}, {@code
 * params.<key>}, {@code tags.<key>} (keys {@code [A-Za-z0-9_.\-/:]+}, or any text in backticks or double quotes)
 * and the attributes of {@link RunAttribute}, optionally prefixed {@code attributes.}. {@link ComparisonRules} says
 * which comparisons each field takes; {@link FilterSql} what they mean.
 *
 * <p>A blank or null filter matches every run. A filter longer than {@value #MAX_LENGTH} characters, or nesting
 * parentheses and {@code not}s deeper than {@value FilterParser#MAX_DEPTH}, is refused. Every problem is an {@link
 * InvalidRequest} on the {@code filter} field that names its 1-based character position.
 */
final class RunFilter {

    static final int MAX_LENGTH = 10_000;

    private static final RunFilter EVERYTHING = new RunFilter(null);

    /** The parsed filter; null for the filter that matches every run. */
    private final FilterExpr filter;

    private RunFilter(FilterExpr filter) {
        this.filter = filter;
    }

    /** Parses {@code text}; blank or null matches every run. */
    static RunFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidRequest(
                    "filter", "is " + text.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        return new RunFilter(FilterParser.parse(text));
    }

    /**
     * The filter as a PostgreSQL boolean expression over {@code runs r} joined with {@code experiments e}, to be put
     * in parentheses in the search's WHERE clause; {@code TRUE} when it matches every run. Its SQL text comes from
     * fixed vocabulary only: all keys and values are among the parameters.
     */
    SqlFragment toSql() {
        return filter == null ? new SqlFragment("TRUE", List.of()) : FilterSql.render(filter);
    }
}
