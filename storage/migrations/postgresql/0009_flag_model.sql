-- 0009: flags raised or confirmed by the semantic model (issue 10): its calibrated probability and
-- PostgreSQL pair of ../0009_flag_model.sql (same tables, columns and indexes).
-- the head file's version (`flagger@<version>`). NULL for flags the model did not score.
-- `source` gains the values `model` (the model alone) and `both` (lexicon and model agree).

ALTER TABLE flags ADD COLUMN model_score DOUBLE PRECISION;
ALTER TABLE flags ADD COLUMN model_version TEXT;
