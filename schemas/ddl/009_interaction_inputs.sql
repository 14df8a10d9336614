-- The optional inputs of learned outcomes (schemas.Interaction HoldS,
-- QueueWaitS, Transfers, CustomerKey, ChainID, Initiation). Absent is NULL
-- for the numbers and '' for the strings (an empty string is never a valid
-- value), which is also what rows written before these columns existed
-- read as. ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: the store
-- sends only the clauses whose column the table lacks (system.columns), so
-- applying this again changes nothing.
ALTER TABLE {{database}}.interactions
    ADD COLUMN hold_s Nullable(Float64),
    ADD COLUMN queue_wait_s Nullable(Float64),
    ADD COLUMN transfers Nullable(Int64),
    ADD COLUMN customer_key String,
    ADD COLUMN chain_id String,
    ADD COLUMN initiation String
