package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.run.FilterField.KeyedTable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code orderBy} of a run search, parsed: up to {@value #MAX_ENTRIES} entries {@code <field> [asc|desc]}
 * (ascending by default, directions case-insensitive).
 *
 * <p>Fields are {@code metrics.<key>} (the run's latest value), {@code params.<key>} (its value, as text) and the
 * attributes {@code name}, {@code status}, {@code experiment}, {@code createdAt}, {@code startedAt}, {@code
 * endedAt} (optionally prefixed {@code attributes.}). Keys are written as in filters, except that a quoted key
 * cannot contain its quote. Runs without the metric or param, or without the timestamp, come last in either
 * direction.
 *
 * <p>Each metric or param entry adds a {@code LEFT JOIN} with its own alias ({@code o0}, {@code o1}, ...) and its
 * key as a parameter; the keyed tables hold at most one row per run and key, so joins never repeat runs. Errors
 * are {@link InvalidRequest}s on the {@code orderBy} field.
 */
final class RunOrder {

    static final int MAX_ENTRIES = 5;

    private static final Set<RunAttribute> ORDERABLE = EnumSet.of(
            RunAttribute.NAME,
            RunAttribute.STATUS,
            RunAttribute.EXPERIMENT,
            RunAttribute.CREATED_AT,
            RunAttribute.STARTED_AT,
            RunAttribute.ENDED_AT);
    private static final Set<KeyedTable> ORDERABLE_KEYED = EnumSet.of(KeyedTable.METRICS, KeyedTable.PARAMS);
    private static final String FIELDS = "metrics.<key>, params.<key>, "
            + ORDERABLE.stream().map(RunAttribute::fieldName).collect(Collectors.joining(", "));
    private static final Pattern ENTRY =
            Pattern.compile("(?<field>[A-Za-z]+\\.(?:`[^`]*`|\"[^\"]*\")|\\S+)(?:\\s+(?<direction>\\S+))?");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-/:]+");

    private final SqlFragment joins;
    private final String orderBy;

    private RunOrder(SqlFragment joins, String orderBy) {
        this.joins = joins;
        this.orderBy = orderBy;
    }

    /** Parses the entries; null or empty means no ordering beyond the search's tie-breakers. */
    static RunOrder parse(List<String> orderBy) {
        List<String> entries = orderBy == null ? List.of() : orderBy;
        if (entries.size() > MAX_ENTRIES) {
            throw error("has " + entries.size() + " entries; at most " + MAX_ENTRIES + " are allowed");
        }
        List<String> joins = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = Entry.parse(i + 1, entries.get(i));
            String alias = "o" + joins.size();
            if (entry.table() != null) {
                joins.add(entry.join(alias));
                keys.add(entry.key());
            }
            items.add(entry.item(alias));
        }
        return new RunOrder(new SqlFragment(String.join(" ", joins), keys), String.join(", ", items));
    }

    /** The {@code LEFT JOIN}s the ordering needs, to follow the search's FROM clause; empty SQL when none. */
    SqlFragment joins() {
        return joins;
    }

    /** The ORDER BY items, comma-separated, without the search's tie-breakers; empty when there is no ordering. */
    String orderBy() {
        return orderBy;
    }

    private static InvalidRequest error(String problem) {
        return new InvalidRequest("orderBy", problem);
    }

    /** One parsed entry: a keyed field ({@code table} and {@code key}) or an {@code attribute}, and its direction. */
    private record Entry(KeyedTable table, String key, RunAttribute attribute, String direction) {

        static Entry parse(int number, String text) {
            String prefix = "entry " + number + " ";
            Matcher matcher = ENTRY.matcher(text == null ? "" : text.strip());
            if (!matcher.matches()) {
                throw error(prefix + "should be '<field> [asc|desc]' but is " + shown(text));
            }
            String direction = direction(prefix, matcher.group("direction"));
            String field = matcher.group("field");
            for (KeyedTable table : ORDERABLE_KEYED) {
                if (field.startsWith(table.prefix())) {
                    String key = key(prefix, field.substring(table.prefix().length()));
                    return new Entry(table, key, null, direction);
                }
            }
            RunAttribute attribute = RunAttribute.named(field)
                    .filter(ORDERABLE::contains)
                    .orElseThrow(() -> error(prefix + "has unknown field " + shown(field) + "; use " + FIELDS));
            return new Entry(null, null, attribute, direction);
        }

        /** The join of a keyed entry: its table as {@code alias}, on the run and the bound key. */
        String join(String alias) {
            return "LEFT JOIN " + table.table() + " " + alias + " ON " + alias + ".run_id = r.id AND " + alias
                    + ".key = ?";
        }

        /** The ORDER BY item; a keyed entry reads the table joined as {@code alias}. */
        String item(String alias) {
            if (table == KeyedTable.METRICS) {
                // A NaN latest value (a run that diverged) sorts with the runs that lack the metric, last either way,
                // not above every number as PostgreSQL would put it.
                return "NULLIF(" + alias + "." + table.valueColumn() + ", " + FilterSql.NAN + ")" + direction
                        + " NULLS LAST";
            }
            if (table != null) {
                return alias + "." + table.valueColumn() + direction + " NULLS LAST";
            }
            return attribute.column() + direction + (attribute.nullable() ? " NULLS LAST" : "");
        }

        private static String direction(String prefix, String direction) {
            if (direction == null || direction.equalsIgnoreCase("asc")) {
                return " ASC";
            } else if (direction.equalsIgnoreCase("desc")) {
                return " DESC";
            }
            throw error(prefix + "has unknown direction " + shown(direction) + "; use asc or desc");
        }

        /** The key after a prefix: {@code [A-Za-z0-9_.\-/:]+}, or any text but the quote in {@code `} or {@code "}. */
        private static String key(String prefix, String text) {
            char quote = text.isEmpty() ? ' ' : text.charAt(0);
            int end = text.length() - 1;
            boolean quoted = (quote == '`' || quote == '"') && end > 1 && text.indexOf(quote, 1) == end;
            if (!quoted && !KEY.matcher(text).matches()) {
                throw error(prefix + "has invalid key " + shown(text)
                        + "; write it as [A-Za-z0-9_.-/:]+, or quote it in backticks");
            }
            return quoted ? text.substring(1, end) : text;
        }

        private static String shown(String text) {
            return text == null ? "null" : FilterErrors.quote(text);
        }
    }
}
