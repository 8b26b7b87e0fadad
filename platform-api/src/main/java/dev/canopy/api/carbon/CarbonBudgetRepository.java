package dev.canopy.api.carbon;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
class CarbonBudgetRepository implements PanacheRepositoryBase<CarbonBudget, UUID> {}
