-- The learned outcome cells (views.Sums Lsat and Lres: outcomes.Cell N,
-- SumP, Labels, Pos, Exp) of rollups: the sums of the learned parts of
-- buckets (017, 018) over the period, like every other value column.
-- Added only where missing (system.columns), as 009 is.
ALTER TABLE {{database}}.rollups
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
