-- 0012: the evidence tables besides the access log are append-only too. The application only ever
-- inserts reviews, legal-hold changes and tombstones (a hold is lifted by an 'off' row, a review
-- replaced by a later one); these triggers stop a mistake or a hand-edited row from rewriting
-- them (found by an adversarial probe). complaint_holds is not among them: a resolution stamps it.
CREATE TRIGGER flag_reviews_no_update BEFORE UPDATE ON flag_reviews
BEGIN
    SELECT RAISE (ABORT, 'flag_reviews is append-only');
END;
CREATE TRIGGER flag_reviews_no_delete BEFORE DELETE ON flag_reviews
BEGIN
    SELECT RAISE (ABORT, 'flag_reviews is append-only');
END;
CREATE TRIGGER legal_holds_no_update BEFORE UPDATE ON legal_holds
BEGIN
    SELECT RAISE (ABORT, 'legal_holds is append-only');
END;
CREATE TRIGGER legal_holds_no_delete BEFORE DELETE ON legal_holds
BEGIN
    SELECT RAISE (ABORT, 'legal_holds is append-only');
END;
CREATE TRIGGER tombstones_no_update BEFORE UPDATE ON tombstones
BEGIN
    SELECT RAISE (ABORT, 'tombstones is append-only');
END;
CREATE TRIGGER tombstones_no_delete BEFORE DELETE ON tombstones
BEGIN
    SELECT RAISE (ABORT, 'tombstones is append-only');
END;
