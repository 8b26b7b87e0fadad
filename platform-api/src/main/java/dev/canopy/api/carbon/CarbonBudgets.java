package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.BudgetRequest;
import dev.canopy.api.carbon.CarbonRecords.BudgetResponse;
import dev.canopy.api.carbon.CarbonRecords.Enforcement;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.Role;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Monthly CO2e budgets (calendar months, UTC). The month's use is every kg charged to the team's runs in it so far,
 * live runs included. From {@code warnPercent} new trained runs carry a warning; from 100 % they are refused with
 * BUDGET_EXCEEDED, or only warned when the team chose WARN.
 */
@ApplicationScoped
public class CarbonBudgets {

    @Inject
    CarbonBudgetRepository budgets;

    @Inject
    TeamAccess access;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Decides whether the team may start another trained run now: the warnings the run should carry (none, or
     * one), or BUDGET_EXCEEDED.
     */
    public List<String> admit(TeamScope scope) {
        Optional<CarbonBudget> budget = budgets.findByIdOptional(scope.teamId());
        if (budget.isEmpty()) {
            return List.of();
        }
        CarbonBudget b = budget.get();
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        double used = used(scope.teamId(), month);
        double percent = b.percentOf(used);
        String status = String.format(
                "team '%s' has used %s of its %s kg CO2e budget for %s (%.1f %%)",
                scope.teamName(), kg(used), kg(b.monthlyKgCo2e), month, percent);
        if (percent >= 100 && b.enforcement == Enforcement.REFUSE) {
            Log.infof("Trained run refused: %s", status);
            throw new BudgetExceeded(
                    "The " + status + "; new trained runs are refused until next month or a" + " higher budget");
        }
        if (percent >= 100) {
            return List.of("Over budget: the " + status);
        }
        return percent >= b.warnPercent ? List.of("Budget warning: the " + status) : List.of();
    }

    /** Grams show: a tiny budget or use is not "0.000". */
    private static String kg(double value) {
        return value == 0 || Math.abs(value) >= 0.001
                ? String.format(Locale.ROOT, "%.3f", value)
                : String.format(Locale.ROOT, "%.3g", value);
    }

    BudgetResponse get(String team) {
        TeamScope scope = access.read(team);
        return response(scope.teamId(), budgets.findByIdOptional(scope.teamId()).orElse(null));
    }

    @Transactional
    BudgetResponse set(String team, BudgetRequest request) {
        TeamScope scope = access.require(team, Role.ADMIN);
        Optional<CarbonBudget> existing = budgets.findByIdOptional(scope.teamId());
        CarbonBudget budget = existing.orElseGet(() -> new CarbonBudget(scope.teamId()));
        budget.set(
                request.monthlyKgCo2e(),
                request.warnPercent() == null ? 80 : request.warnPercent(),
                request.enforcement() == null ? Enforcement.REFUSE : request.enforcement(),
                scope.userId(),
                DatabaseTime.now());
        // Persisted once complete: Hibernate inserts the state it had when persisted.
        if (existing.isEmpty()) {
            budgets.persist(budget);
        }
        Log.infof(
                "Team %s set its CO2e budget to %.3f kg a month (%s)", team, budget.monthlyKgCo2e, budget.enforcement);
        return response(scope.teamId(), budget);
    }

    @Transactional
    void delete(String team) {
        TeamScope scope = access.require(team, Role.ADMIN);
        if (!budgets.deleteById(scope.teamId())) {
            throw new NotFound("team '" + team + "' has no CO2e budget");
        }
    }

    private BudgetResponse response(UUID teamId, CarbonBudget budget) {
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        double used = used(teamId, month);
        if (budget == null) {
            return new BudgetResponse(null, null, null, month.toString(), used, null, "NONE", null);
        }
        double percent = budget.percentOf(used);
        String state = percent >= 100 ? "EXCEEDED" : percent >= budget.warnPercent ? "WARNING" : "OK";
        return new BudgetResponse(
                budget.monthlyKgCo2e,
                budget.warnPercent,
                budget.enforcement,
                month.toString(),
                used,
                percent,
                state,
                budget.updatedAt);
    }

    private double used(UUID teamId, YearMonth month) {
        Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        String sql =
                "SELECT coalesce(sum(kg_co2e), 0) FROM energy_intervals WHERE team_id = ? AND started_at >= ? AND started_at < ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(sql)) {
            select.setObject(1, teamId);
            select.setObject(2, EnergyLedger.utc(from));
            select.setObject(3, EnergyLedger.utc(to));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getDouble(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not sum the emissions of team " + teamId, e);
        }
    }
}
