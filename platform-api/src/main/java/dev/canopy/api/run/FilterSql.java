package dev.canopy.api.run;

import dev.canopy.api.run.FilterField.KeyedTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Renders a {@link FilterExpr} as a PostgreSQL boolean expression over {@code runs r} and {@code experiments e}.
 * The SQL is made of fixed vocabulary only: attribute columns, keyed-table subqueries and operators come from
 * enums, and every key and value becomes a {@code ?} parameter.
 *
 * <ul>
 *   <li>Attributes compare their column: {@code r.status IN (?, ?)}, {@code r.started_at IS NULL}.
 *   <li>Metrics, params and tags ask whether the run has the key with a matching value: {@code EXISTS (SELECT 1
 *       FROM run_params p WHERE p.run_id = r.id AND p.key = ? AND p.value = ?)}; so {@code !=} and {@code not in}
 *       mean "has the key with another value", as in MLflow. {@code is null} is {@code NOT EXISTS} of the key,
 *       {@code is not null} its {@code EXISTS}.
 *   <li>Params and tags compared with numbers compare only the values that look like numbers (see {@link
 *       #NUMERIC_VALUE}), cast to double precision; other values never match and are never cast.
 *   <li>{@code and}, {@code or} and {@code not} keep their meaning, with explicit parentheses around nested terms.
 * </ul>
 */
final class FilterSql {

    /** PostgreSQL's NaN, which it sorts above every number: a metric's latest value that is NaN reads as null. */
    static final String NAN = "'NaN'";

    /**
     * The PostgreSQL regex (as a SQL literal) of the param and tag values compared as numbers. Its digit counts are
     * bounded so that every match fits a double precision: casting never overflows. It has no {@code ?}, so no JDBC
     * layer can mistake it for a placeholder.
     */
    static final String NUMERIC_VALUE =
            "'^[+-]{0,1}([0-9]{1,30}([.][0-9]{0,30}){0,1}|[.][0-9]{1,30})([eE][+-]{0,1}[0-9]{1,2}){0,1}$'";

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> parameters = new ArrayList<>();

    private FilterSql() {}

    static SqlFragment render(FilterExpr filter) {
        FilterSql writer = new FilterSql();
        writer.write(filter);
        return new SqlFragment(writer.sql.toString(), writer.parameters);
    }

    private void write(FilterExpr expr) {
        if (expr instanceof FilterExpr.And and) {
            writeTerms(and.terms(), " AND ");
        } else if (expr instanceof FilterExpr.Or or) {
            writeTerms(or.terms(), " OR ");
        } else if (expr instanceof FilterExpr.Not not) {
            sql.append("NOT (");
            write(not.term());
            sql.append(')');
        } else {
            writeComparison((FilterExpr.Comparison) expr);
        }
    }

    private void writeTerms(List<FilterExpr> terms, String separator) {
        for (int i = 0; i < terms.size(); i++) {
            FilterExpr term = terms.get(i);
            boolean compound = term instanceof FilterExpr.And || term instanceof FilterExpr.Or;
            sql.append(i == 0 ? "" : separator).append(compound ? "(" : "");
            write(term);
            sql.append(compound ? ")" : "");
        }
    }

    private void writeComparison(FilterExpr.Comparison comparison) {
        if (comparison.field() instanceof FilterField.Keyed keyed) {
            writeKeyed(keyed, comparison);
        } else {
            // A column that may be NULL (a tracked run's recipe, a running run's end): a comparison with it is then
            // unknown, and NOT of unknown is unknown too, so "not recipe = 'x'" would leave out every tracked run.
            // False instead makes "not" the complement, as it is for metrics, params and tags.
            RunAttribute attribute = (RunAttribute) comparison.field();
            boolean unknowable = attribute.nullable() && !comparison.operator().isNullCheck();
            sql.append(unknowable ? "COALESCE(" : "").append(attribute.column());
            writePredicate(comparison);
            sql.append(unknowable ? ", FALSE)" : "");
        }
    }

    private void writeKeyed(FilterField.Keyed keyed, FilterExpr.Comparison comparison) {
        KeyedTable table = keyed.table();
        String alias = table.alias();
        sql.append(comparison.operator() == FilterOperator.IS_NULL ? "NOT EXISTS" : "EXISTS");
        sql.append(" (SELECT 1 FROM " + table.table() + " " + alias + " WHERE " + alias + ".run_id = r.id AND ")
                .append(alias + ".key = ?");
        parameters.add(keyed.key());
        if (!comparison.operator().isNullCheck()) {
            boolean numeric = comparison.values().get(0) instanceof Double;
            sql.append(" AND ").append(valueExpression(table, numeric));
            writePredicate(comparison);
        }
        sql.append(')');
    }

    private static String valueExpression(KeyedTable table, boolean numeric) {
        String value = table.alias() + "." + table.valueColumn();
        if (table == KeyedTable.METRICS) {
            // PostgreSQL puts NaN above every number (NaN > 0.9 holds): as not a number, it matches no comparison.
            return "NULLIF(" + value + ", " + NAN + ")";
        }
        if (!numeric) {
            return value;
        }
        return "(CASE WHEN " + value + " ~ " + NUMERIC_VALUE + " THEN CAST(" + value + " AS double precision) END)";
    }

    /** Appends {@code " <operator> ?"}, {@code " <operator> (?, ?)"} or {@code " IS [NOT] NULL"}. */
    private void writePredicate(FilterExpr.Comparison comparison) {
        FilterOperator operator = comparison.operator();
        sql.append(' ').append(operator.sql());
        if (operator.isList()) {
            List<String> placeholders = Collections.nCopies(comparison.values().size(), "?");
            sql.append(" (").append(String.join(", ", placeholders)).append(')');
        } else if (!operator.isNullCheck()) {
            sql.append(" ?");
        }
        parameters.addAll(comparison.values());
    }
}
