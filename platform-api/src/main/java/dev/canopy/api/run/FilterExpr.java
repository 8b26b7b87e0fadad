package dev.canopy.api.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The syntax tree of a parsed run filter. {@link And} and {@link Or} are n-ary and never directly contain their own
 * kind, so long chains of {@code and}/{@code or} stay shallow.
 */
sealed interface FilterExpr permits FilterExpr.And, FilterExpr.Or, FilterExpr.Not, FilterExpr.Comparison {

    /** All terms hold; at least two terms. */
    record And(List<FilterExpr> terms) implements FilterExpr {}

    /** Some term holds; at least two terms. */
    record Or(List<FilterExpr> terms) implements FilterExpr {}

    record Not(FilterExpr term) implements FilterExpr {}

    /**
     * {@code field operator values}, checked: {@code values} are what SQL binds (String, Double, UUID or
     * OffsetDateTime, all of one type), none for {@code is [not] null}, one or more for {@code [not] in}, else one.
     */
    record Comparison(FilterField field, FilterOperator operator, List<Object> values) implements FilterExpr {

        public Comparison {
            values = List.copyOf(values);
        }
    }

    /** The conjunction of {@code terms}, flattening nested conjunctions; a single term stands for itself. */
    static FilterExpr and(List<FilterExpr> terms) {
        List<FilterExpr> flat = new ArrayList<>();
        for (FilterExpr term : terms) {
            flat.addAll(term instanceof And and ? and.terms() : List.of(term));
        }
        return flat.size() == 1 ? flat.get(0) : new And(List.copyOf(flat));
    }

    /** The disjunction of {@code terms}, flattening nested disjunctions; a single term stands for itself. */
    static FilterExpr or(List<FilterExpr> terms) {
        List<FilterExpr> flat = new ArrayList<>();
        for (FilterExpr term : terms) {
            flat.addAll(term instanceof Or or ? or.terms() : List.of(term));
        }
        return flat.size() == 1 ? flat.get(0) : new Or(List.copyOf(flat));
    }
}
