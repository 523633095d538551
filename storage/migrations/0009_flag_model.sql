-- 0009: flags raised or confirmed by the semantic model (issue 10): its calibrated probability and
-- the head file's version (`flagger@<version>`). NULL for flags the model did not score.
-- `source` gains the values `model` (the model alone) and `both` (lexicon and model agree).

ALTER TABLE flags ADD COLUMN model_score REAL;
ALTER TABLE flags ADD COLUMN model_version TEXT;
