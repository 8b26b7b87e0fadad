package dev.canopy.api.run;

import dev.canopy.api.dataset.ColumnProfile;
import dev.canopy.api.dataset.DatasetVersionRef;
import dev.canopy.runner.recipe.DatasetProfile;
import dev.canopy.runner.recipe.Recipe;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The recipes this control plane knows (the runner module's built-ins and any recipe jar on its classpath,
 * found with ServiceLoader), so that runs are validated against the dataset profile before they are queued.
 */
@ApplicationScoped
public class RecipeCatalog {

    private final Map<String, Recipe> recipes = new TreeMap<>();

    RecipeCatalog() {
        ServiceLoader.load(Recipe.class, Recipe.class.getClassLoader()).forEach(r -> recipes.put(r.name(), r));
    }

    public Optional<Recipe> find(String name) {
        return Optional.ofNullable(recipes.get(name));
    }

    public Set<String> names() {
        return recipes.keySet();
    }

    /** The profile of a dataset version in the form recipes read it. */
    static DatasetProfile profileOf(DatasetVersionRef version) {
        return new DatasetProfile(
                version.rowCount(),
                version.columns().stream().map(RecipeCatalog::columnOf).toList());
    }

    private static DatasetProfile.Column columnOf(ColumnProfile c) {
        return new DatasetProfile.Column(c.name(), c.type().name(), c.missing(), c.distinct(), c.distinctCapped());
    }
}
