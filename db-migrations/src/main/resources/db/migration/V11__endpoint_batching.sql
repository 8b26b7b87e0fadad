-- An endpoint's own micro-batching settings ({enabled, maxBatchRecords, maxWaitMs}, each optional): null, or a
-- field left out, takes the platform's default (canopy.serving.batching, max-batch-records, max-wait).
ALTER TABLE endpoints ADD COLUMN batching jsonb;
