-- The learned outcome cells (views.Sums Lsat and Lres: outcomes.Cell N,
-- SumP, Labels, Pos, Exp) of buckets. The outcome learner
-- (processor/learn) writes them in bucket parts of its own, log_partition
-- -1 (store.LearnedPartition), with volume 0; rows written before these
-- columns existed read as zero: nothing learned. Added only where missing
-- (system.columns), as 009 is.
ALTER TABLE {{database}}.buckets
    ADD COLUMN lsat_n Int64,
    ADD COLUMN lsat_sum_p Float64,
    ADD COLUMN lsat_labels Int64,
    ADD COLUMN lsat_pos Int64,
    ADD COLUMN lsat_exp Float64,
    ADD COLUMN lres_n Int64,
    ADD COLUMN lres_sum_p Float64,
    ADD COLUMN lres_labels Int64,
    ADD COLUMN lres_pos Int64,
    ADD COLUMN lres_exp Float64
