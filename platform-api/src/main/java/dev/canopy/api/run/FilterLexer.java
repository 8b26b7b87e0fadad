package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.run.FilterToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a run filter into {@link FilterToken}s, the last of which is {@link Kind#END}.
 *
 * <ul>
 *   <li>Words (field names and keywords): {@code [A-Za-z_][A-Za-z0-9_.\-/:]*}.
 *   <li>Strings: quoted with {@code '} or {@code "}; keys: quoted with backticks. Inside any of them a doubled quote
 *       stands for one quote.
 *   <li>Numbers: optional sign, digits with an optional fraction, optional exponent; they must be finite doubles.
 *   <li>Comparators {@code = != <> < <= > >=}, parentheses and commas.
 * </ul>
 *
 * Anything else, and the NUL character anywhere, is an {@link InvalidRequest} naming its position.
 */
final class FilterLexer {

    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final List<String> COMPARATORS = List.of("!=", "<>", "<=", ">=", "=", "<", ">");

    private final String source;
    private final Matcher number;
    private final List<FilterToken> tokens = new ArrayList<>();
    private int pos;

    private FilterLexer(String source) {
        this.source = source;
        this.number = NUMBER.matcher(source);
    }

    static List<FilterToken> tokenize(String source) {
        int nul = source.indexOf('\0');
        if (nul >= 0) {
            throw FilterErrors.at(source, nul, "the NUL character (U+0000) is not allowed");
        }
        FilterLexer lexer = new FilterLexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        skipWhitespace();
        while (pos < source.length()) {
            tokens.add(next());
            skipWhitespace();
        }
        tokens.add(new FilterToken(Kind.END, "", pos, pos));
    }

    private FilterToken next() {
        char c = source.charAt(pos);
        return switch (c) {
            case '(' -> token(Kind.LEFT_PAREN, "(", pos + 1);
            case ')' -> token(Kind.RIGHT_PAREN, ")", pos + 1);
            case ',' -> token(Kind.COMMA, ",", pos + 1);
            case '\'' -> quoted(Kind.STRING, "unterminated string");
            case '"' -> quoted(Kind.DOUBLE_QUOTED, "unterminated string");
            case '`' -> quoted(Kind.BACKTICKED, "unterminated quoted key");
            case '=', '!', '<', '>' -> comparator();
            default -> isWordStart(c) ? word() : number();
        };
    }

    private FilterToken token(Kind kind, String text, int end) {
        FilterToken token = new FilterToken(kind, text, pos, end);
        pos = end;
        return token;
    }

    private FilterToken quoted(Kind kind, String unterminated) {
        char quote = source.charAt(pos);
        StringBuilder text = new StringBuilder();
        int from = pos + 1;
        while (true) {
            int close = source.indexOf(quote, from);
            if (close < 0) {
                throw FilterErrors.at(source, pos, unterminated);
            }
            text.append(source, from, close);
            if (close + 1 < source.length() && source.charAt(close + 1) == quote) {
                text.append(quote);
                from = close + 2;
            } else {
                return token(kind, text.toString(), close + 1);
            }
        }
    }

    private FilterToken comparator() {
        for (String symbol : COMPARATORS) {
            if (source.startsWith(symbol, pos)) {
                return token(Kind.COMPARATOR, symbol, pos + symbol.length());
            }
        }
        throw unexpectedCharacter();
    }

    private FilterToken word() {
        int end = pos + 1;
        while (end < source.length() && isWordPart(source.charAt(end))) {
            end++;
        }
        return token(Kind.WORD, source.substring(pos, end), end);
    }

    private FilterToken number() {
        number.region(pos, source.length());
        if (!number.lookingAt()) {
            throw unexpectedCharacter();
        }
        int end = number.end();
        if (end < source.length() && isWordPart(source.charAt(end))) {
            while (end < source.length() && isWordPart(source.charAt(end))) {
                end++;
            }
            throw FilterErrors.at(source, pos, "malformed number " + FilterErrors.quote(source, pos, end));
        }
        String text = source.substring(pos, end);
        if (Double.isInfinite(Double.parseDouble(text))) {
            throw FilterErrors.at(source, pos, "number " + FilterErrors.quote(source, pos, end) + " is out of range");
        }
        return token(Kind.NUMBER, text, end);
    }

    private InvalidRequest unexpectedCharacter() {
        int c = source.codePointAt(pos);
        String shown = isVisible(c) ? "'" + Character.toString(c) + "'" : String.format("U+%04X", c);
        return FilterErrors.at(source, pos, "unexpected character " + shown);
    }

    private void skipWhitespace() {
        while (pos < source.length() && Character.isWhitespace(source.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isVisible(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.SURROGATE,
                    Character.UNASSIGNED,
                    Character.PRIVATE_USE,
                    Character.SPACE_SEPARATOR,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    private static boolean isWordStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isWordPart(char c) {
        return isWordStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/' || c == ':';
    }
}
