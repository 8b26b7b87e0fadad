package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.List;
import java.util.Map;

/** What the two tabular recipes share: the parameters, validation and training, for one task each. */
abstract class TabularRecipe implements Recipe {

    private final String name;
    private final Task task;

    TabularRecipe(String name, Task task) {
        this.name = name;
        this.task = task;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ParamSpec> parameters() {
        return TabularParams.SPECS;
    }

    @Override
    public Validation validate(Map<String, Object> params, DatasetProfile profile) {
        return TabularValidator.validate(params, profile, task);
    }

    @Override
    public TrainingResult train(TrainingContext context) throws TrainingFailure {
        return TabularTraining.run(name, task, context);
    }
}
