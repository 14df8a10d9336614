-- interaction_timeline (a narrow copy of every applied revision sorted by
-- time within a model, for LatestData) is gone: LatestData reads
-- model_latest (017) instead, one row per model and partition that the
-- processor keeps. Dropping it makes a stored revision one interactions
-- row plus its interaction_revisions index row. A database made before
-- this file loses the table; a new one never has it.
DROP TABLE IF EXISTS {{database}}.interaction_timeline
