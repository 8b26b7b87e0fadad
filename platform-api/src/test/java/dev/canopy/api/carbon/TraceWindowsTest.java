package dev.canopy.api.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.carbon.EnergyLedger.ComponentKey;
import dev.canopy.api.carbon.EnergyLedger.Interval;
import dev.canopy.api.carbon.TraceWindows.Point;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting a stretch of time by trace points, and sharing energy among the pieces. */
class TraceWindowsTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Duration MAX = Duration.ofHours(2);
    static final Intensity YEARLY = new Intensity("DEU", 380.9, "Ember", 2023, null, "yearly average", false, null);

    static Instant at(String time) {
        return Instant.parse("2026-03-01T" + time + "Z");
    }

    static List<Point> hourly(double... values) {
        return java.util.stream.IntStream.range(0, values.length)
                .mapToObj(i -> new Point(T0.plus(Duration.ofHours(i)), values[i]))
                .toList();
    }

    @Test
    void eachPieceGetsTheValueOfTheHourItFallsIn() {
        List<IntensityPiece> pieces = TraceWindows.pieces(
                hourly(100, 200, 300), MAX, "DEU", "operator", YEARLY, at("10:30:00"), at("12:15:00"));
        assertThat(pieces)
                .extracting(IntensityPiece::from)
                .containsExactly(at("10:30:00"), at("11:00:00"), at("12:00:00"));
        assertThat(pieces)
                .extracting(IntensityPiece::to)
                .containsExactly(at("11:00:00"), at("12:00:00"), at("12:15:00"));
        assertThat(pieces).extracting(p -> p.intensity().gCo2ePerKwh()).containsExactly(100.0, 200.0, 300.0);
        assertThat(pieces)
                .extracting(p -> p.intensity().timestamp())
                .containsExactly(T0, at("11:00:00"), at("12:00:00"));
        assertThat(pieces.get(0).intensity().source()).isEqualTo("operator");
    }

    @Test
    void timeNoPointCoversUsesTheYearlyTableWithANote() {
        // The last point holds as long as the step before it (1 h): 13:00 on is outside the trace.
        List<IntensityPiece> pieces = TraceWindows.pieces(
                hourly(100, 200, 300), MAX, "DEU", "operator", YEARLY, at("09:00:00"), at("13:30:00"));
        assertThat(pieces)
                .extracting(p -> p.intensity().gCo2ePerKwh())
                .containsExactly(380.9, 100.0, 200.0, 300.0, 380.9);
        assertThat(pieces.get(0).to()).isEqualTo(T0);
        assertThat(pieces.get(4).from()).isEqualTo(at("13:00:00"));
        assertThat(pieces.get(0).intensity().note())
                .isEqualTo("outside the team's uploaded trace for DEU; the yearly table is used");
    }

    @Test
    void aGapLongerThanTheMaximumStepIsNotBridged() {
        List<Point> gap = List.of(new Point(T0, 100), new Point(T0.plus(Duration.ofHours(5)), 500));
        List<IntensityPiece> pieces =
                TraceWindows.pieces(gap, MAX, "DEU", "op", YEARLY, at("10:00:00"), at("15:30:00"));
        assertThat(pieces).extracting(p -> p.intensity().gCo2ePerKwh()).containsExactly(100.0, 380.9, 500.0);
        assertThat(pieces)
                .extracting(IntensityPiece::to)
                .containsExactly(at("12:00:00"), at("15:00:00"), at("15:30:00"));
    }

    @Test
    void aZeroLengthStretchTakesThePointCoveringIt() {
        List<IntensityPiece> pieces =
                TraceWindows.pieces(hourly(100, 200), MAX, "DEU", "op", YEARLY, at("11:10:00"), at("11:10:00"));
        assertThat(pieces)
                .singleElement()
                .extracting(p -> p.intensity().gCo2ePerKwh())
                .isEqualTo(200.0);
    }

    @Test
    void energyIsSharedByDurationAndNothingIsLost() {
        List<IntensityPiece> pieces =
                TraceWindows.pieces(hourly(100, 200, 300), MAX, "DEU", "op", YEARLY, at("10:30:00"), at("12:15:00"));
        List<Interval> intervals = EnergyAccounting.split(new ComponentKey("GPU", 0, "counter"), 7000.0, pieces);
        // 30 min, 60 min, 15 min of 105 min.
        assertThat(intervals).extracting(Interval::joules).containsExactly(2000.0, 4000.0, 1000.0);
        assertThat(intervals.stream().mapToDouble(Interval::joules).sum()).isEqualTo(7000.0);
    }

    @Test
    void intervalsAreCutAtUtcHoursSoThatHoursDaysAndMonthsAddUpExactly() {
        List<IntensityPiece> pieces =
                EnergyAccounting.hourly(List.of(new IntensityPiece(at("10:40:00"), at("13:10:00"), YEARLY)));
        assertThat(pieces)
                .extracting(IntensityPiece::from)
                .containsExactly(at("10:40:00"), at("11:00:00"), at("12:00:00"), at("13:00:00"));
        assertThat(pieces)
                .extracting(IntensityPiece::to)
                .containsExactly(at("11:00:00"), at("12:00:00"), at("13:00:00"), at("13:10:00"));
        assertThat(EnergyAccounting.hourly(List.of(new IntensityPiece(at("11:00:00"), at("12:00:00"), YEARLY))))
                .hasSize(1);
    }

    @Test
    void theArithmeticIsKwhTimesPueTimesIntensity() {
        assertThat(Emissions.kwh(3_600_000)).isEqualTo(1.0);
        // 7.2 MJ = 2 kWh, at PUE 1.5 = 3 kWh, at 400 g/kWh = 1.2 kg.
        assertThat(Emissions.kgCo2e(7_200_000, 1.5, 400)).isEqualTo(1.2);
    }
}
