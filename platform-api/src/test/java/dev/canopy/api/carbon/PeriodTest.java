package dev.canopy.api.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A summary's default period: 30 days, reaching back to whole months or days when grouped by them. */
class PeriodTest {

    private static final String TO = "2026-11-27T10:15:00Z";

    @Test
    void aMonthlySummaryStartsAtTheFirstOfItsFirstMonth() {
        assertThat(Period.of(null, TO, "month").from()).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
        assertThat(Period.of(null, TO, " Month ").from()).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
    }

    @Test
    void aDailySummaryStartsAtMidnightAndOthersThirtyDaysBefore() {
        assertThat(Period.of(null, TO, "day").from()).isEqualTo(Instant.parse("2026-10-28T00:00:00Z"));
        assertThat(Period.of(null, TO, "experiment").from()).isEqualTo(Instant.parse("2026-10-28T10:15:00Z"));
        assertThat(Period.of(null, TO, null).from()).isEqualTo(Instant.parse("2026-10-28T10:15:00Z"));
    }

    @Test
    void anExplicitStartIsKept() {
        assertThat(Period.of("2026-11-15", TO, "month").from()).isEqualTo(Instant.parse("2026-11-15T00:00:00Z"));
    }
}
