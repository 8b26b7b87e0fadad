package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.run.FilterField.KeyedTable;
import dev.canopy.api.run.FilterToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Recursive-descent parser of run filters; keywords are case-insensitive, field names are not.
 *
 * <pre>
 * filter     = or END
 * or         = and { "or" and }
 * and        = unary { "and" unary }
 * unary      = "not" unary | "(" or ")" | comparison
 * comparison = field ( COMPARATOR value | ("like" | "ilike") value | ["not"] "in" "(" value { "," value } ")"
 *                    | "is" ["not"] "null" )
 * field      = ("metrics." | "params." | "tags.") (key | QUOTED_KEY) | ["attributes."] attribute
 * value      = STRING | NUMBER
 * </pre>
 *
 * A quoted key follows its prefix without space: {@code params."learning rate"} or {@code tags.`team`}. Parentheses
 * and {@code not}s may nest at most {@value #MAX_DEPTH} deep, which bounds the recursion.
 */
final class FilterParser {

    static final int MAX_DEPTH = 50;

    private static final String FIELDS = Stream.concat(
                    Stream.of(KeyedTable.values()).map(table -> table.prefix() + "<key>"),
                    Stream.of(RunAttribute.values()).map(RunAttribute::fieldName))
            .collect(Collectors.joining(", "));

    private final String source;
    private final List<FilterToken> tokens;
    private final ComparisonRules rules;
    private int next;
    private int depth;

    private FilterParser(String source) {
        this.source = source;
        this.tokens = FilterLexer.tokenize(source);
        this.rules = new ComparisonRules(source);
    }

    /** Parses a non-blank filter; every error is an {@link InvalidRequest} on the {@code filter} field. */
    static FilterExpr parse(String source) {
        FilterParser parser = new FilterParser(source);
        FilterExpr filter = parser.or();
        FilterToken rest = parser.peek();
        if (!rest.is(Kind.END)) {
            throw parser.error(rest, "unexpected " + parser.shown(rest) + " after a complete filter");
        }
        return filter;
    }

    private FilterExpr or() {
        List<FilterExpr> terms = new ArrayList<>(List.of(and()));
        while (acceptKeyword("or")) {
            terms.add(and());
        }
        return FilterExpr.or(terms);
    }

    private FilterExpr and() {
        List<FilterExpr> terms = new ArrayList<>(List.of(unary()));
        while (acceptKeyword("and")) {
            terms.add(unary());
        }
        return FilterExpr.and(terms);
    }

    private FilterExpr unary() {
        FilterToken token = peek();
        if (token.isKeyword("not")) {
            enterNesting(token);
            FilterExpr term = unary();
            depth--;
            return new FilterExpr.Not(term);
        }
        if (token.is(Kind.LEFT_PAREN)) {
            enterNesting(token);
            FilterExpr inner = or();
            int opening = FilterErrors.position(source, token.start());
            expect(Kind.RIGHT_PAREN, "')' to close the '(' at position " + opening);
            depth--;
            return inner;
        }
        return comparison();
    }

    /** Consumes the {@code not} or {@code (} that opens a nesting level, refusing one level too many. */
    private void enterNesting(FilterToken token) {
        if (++depth > MAX_DEPTH) {
            throw error(token, "parentheses and 'not' nest deeper than " + MAX_DEPTH + " levels");
        }
        next++;
    }

    private FilterExpr comparison() {
        int start = peek().start();
        FilterField field = field();
        String fieldText = FilterErrors.excerpt(source, start, previousEnd());
        FilterToken operatorToken = peek();
        FilterOperator operator = operator(fieldText);
        List<FilterToken> literals = literals(operator);
        return rules.check(new ComparisonRules.Draft(field, fieldText, operatorToken, operator, literals));
    }

    private FilterField field() {
        FilterToken token = peek();
        if (!token.is(Kind.WORD)) {
            throw expected("a field");
        }
        next++;
        for (KeyedTable table : KeyedTable.values()) {
            if (token.text().startsWith(table.prefix())) {
                return new FilterField.Keyed(table, key(table, token));
            }
        }
        return RunAttribute.named(token.text())
                .orElseThrow(() -> error(token, "unknown field " + shown(token) + "; use " + FIELDS));
    }

    /** The key after a prefix: the rest of the word, or a quoted key right after it. */
    private String key(KeyedTable table, FilterToken word) {
        String rest = word.text().substring(table.prefix().length());
        if (!rest.isEmpty()) {
            return rest;
        }
        FilterToken quoted = peek();
        if (!(quoted.is(Kind.BACKTICKED) || quoted.is(Kind.DOUBLE_QUOTED)) || quoted.start() != word.end()) {
            throw expected("a key right after '" + table.prefix() + "'");
        }
        if (quoted.text().isEmpty()) {
            throw error(quoted, "a key cannot be empty");
        }
        next++;
        return quoted.text();
    }

    private FilterOperator operator(String fieldText) {
        FilterToken token = peek();
        if (token.is(Kind.COMPARATOR)) {
            next++;
            return FilterOperator.comparator(token.text());
        }
        if (acceptKeyword("like")) {
            return FilterOperator.LIKE;
        } else if (acceptKeyword("ilike")) {
            return FilterOperator.ILIKE;
        } else if (acceptKeyword("in")) {
            return FilterOperator.IN;
        } else if (acceptKeyword("not")) {
            expectKeyword("in", "'in' after 'not'");
            return FilterOperator.NOT_IN;
        } else if (acceptKeyword("is")) {
            boolean not = acceptKeyword("not");
            expectKeyword("null", not ? "'null' after 'is not'" : "'null' or 'not null' after 'is'");
            return not ? FilterOperator.IS_NOT_NULL : FilterOperator.IS_NULL;
        }
        throw expected("an operator after '" + fieldText + "'");
    }

    private List<FilterToken> literals(FilterOperator operator) {
        if (operator.isNullCheck()) {
            return List.of();
        } else if (!operator.isList()) {
            return List.of(literal());
        }
        expect(Kind.LEFT_PAREN, "'(' after '" + operator.symbol() + "'");
        List<FilterToken> literals = new ArrayList<>(List.of(literal()));
        while (peek().is(Kind.COMMA)) {
            next++;
            literals.add(literal());
        }
        expect(Kind.RIGHT_PAREN, "',' or ')' in the list");
        return literals;
    }

    private FilterToken literal() {
        FilterToken token = peek();
        if (token.is(Kind.WORD)) {
            throw error(token, "expected a value but found " + shown(token) + " (strings need quotes)");
        } else if (!token.isLiteral()) {
            throw expected("a value");
        }
        next++;
        return token;
    }

    private int previousEnd() {
        return tokens.get(next - 1).end();
    }

    private FilterToken peek() {
        return tokens.get(next);
    }

    private boolean acceptKeyword(String keyword) {
        boolean found = peek().isKeyword(keyword);
        if (found) {
            next++;
        }
        return found;
    }

    private void expectKeyword(String keyword, String what) {
        if (!acceptKeyword(keyword)) {
            throw expected(what);
        }
    }

    private void expect(Kind kind, String what) {
        if (!peek().is(kind)) {
            throw expected(what);
        }
        next++;
    }

    /** "expected {@code what} but found ..." about the next token, or "unexpected end of filter" at the end. */
    private InvalidRequest expected(String what) {
        FilterToken token = peek();
        if (token.is(Kind.END)) {
            return error(token, "unexpected end of filter, expected " + what);
        }
        return error(token, "expected " + what + " but found " + shown(token));
    }

    private String shown(FilterToken token) {
        return FilterErrors.quote(source, token.start(), token.end());
    }

    private InvalidRequest error(FilterToken token, String problem) {
        return FilterErrors.at(source, token.start(), problem);
    }
}
