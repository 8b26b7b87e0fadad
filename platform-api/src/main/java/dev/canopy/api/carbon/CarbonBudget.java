package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.Enforcement;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A team's monthly CO2e budget. */
@Entity
@Table(name = "carbon_budgets")
class CarbonBudget {

    @Id
    @Column(name = "team_id")
    UUID teamId;

    @Column(name = "monthly_kg_co2e", nullable = false)
    double monthlyKgCo2e;

    @Column(name = "warn_percent", nullable = false)
    int warnPercent;

    @Enumerated(EnumType.STRING)
    @Column(name = "enforcement", nullable = false, length = 8)
    Enforcement enforcement;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    @Column(name = "updated_by")
    UUID updatedBy;

    protected CarbonBudget() {}

    CarbonBudget(UUID teamId) {
        this.teamId = teamId;
    }

    void set(double monthlyKgCo2e, int warnPercent, Enforcement enforcement, UUID by, Instant now) {
        this.monthlyKgCo2e = monthlyKgCo2e;
        this.warnPercent = warnPercent;
        this.enforcement = enforcement;
        this.updatedBy = by;
        this.updatedAt = now;
    }

    /** How much of the budget {@code usedKgCo2e} is, in percent. */
    double percentOf(double usedKgCo2e) {
        return 100.0 * usedKgCo2e / monthlyKgCo2e;
    }
}
