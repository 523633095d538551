-- 0012 (PostgreSQL): the evidence tables besides the access log are append-only too (see the
-- SQLite file of the same number). TRUNCATE skips row triggers, so it is refused as well.
CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER flag_reviews_no_update BEFORE UPDATE OR DELETE ON flag_reviews
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER flag_reviews_no_truncate BEFORE TRUNCATE ON flag_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER legal_holds_no_update BEFORE UPDATE OR DELETE ON legal_holds
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER legal_holds_no_truncate BEFORE TRUNCATE ON legal_holds
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER tombstones_no_update BEFORE UPDATE OR DELETE ON tombstones
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER tombstones_no_truncate BEFORE TRUNCATE ON tombstones
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only();
