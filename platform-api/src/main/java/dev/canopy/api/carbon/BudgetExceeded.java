package dev.canopy.api.carbon;

import dev.canopy.api.error.ApiException;
import dev.canopy.api.error.ErrorCode;
import java.util.List;

/** The team's monthly CO2e budget is spent and it chose to refuse new trained runs. */
final class BudgetExceeded extends ApiException {

    BudgetExceeded(String message) {
        super(ErrorCode.BUDGET_EXCEEDED, message, List.of());
    }
}
