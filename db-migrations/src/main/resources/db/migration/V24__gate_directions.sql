-- Beats-live and held-out gates say which way their metric is better (higherIsBetter); a gate without it is checked
-- again against the words of its metric's name, which refuses names it cannot tell. The schedules' stored gates were
-- saved by the rule before: lower is better when the name contains loss, rmse, mae, mse or error. They keep it.
UPDATE schedules
SET promote_gates = (
    SELECT jsonb_agg(
               CASE
                   WHEN g ->> 'type' IN ('beats-live', 'held-out')
                        AND (g -> 'higherIsBetter' IS NULL OR g -> 'higherIsBetter' = 'null'::jsonb)
                   THEN g || jsonb_build_object(
                            'higherIsBetter', NOT (lower(g ->> 'metric') ~ '(loss|rmse|mae|mse|error)'))
                   ELSE g
               END
               ORDER BY position)
    FROM jsonb_array_elements(promote_gates) WITH ORDINALITY AS gates (g, position))
WHERE jsonb_typeof(promote_gates) = 'array' AND jsonb_array_length(promote_gates) > 0;
