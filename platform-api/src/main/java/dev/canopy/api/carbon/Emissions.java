package dev.canopy.api.carbon;

/** The arithmetic: one place, so that every number the platform reports is computed the same way. */
final class Emissions {

    /** Joules in one kilowatt-hour. */
    static final double JOULES_PER_KWH = 3_600_000.0;

    private Emissions() {}

    static double kwh(double joules) {
        return joules / JOULES_PER_KWH;
    }

    /** kg CO2e = IT energy (kWh) × PUE × grid intensity (g/kWh) / 1000. */
    static double kgCo2e(double joules, double pue, double gCo2ePerKwh) {
        return kwh(joules) * pue * gCo2ePerKwh / 1000.0;
    }
}
