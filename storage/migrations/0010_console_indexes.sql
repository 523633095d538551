-- 0010: indexes for the console's pages (measured with bench/console.py and EXPLAIN QUERY PLAN).
-- Plain CREATE INDEX statements only, so the file runs unchanged on SQLite and PostgreSQL.

-- The queue filtered by agency (or seen by an agency-bound inspector) and by category: each in the
-- queue's order (severity rank, then age), so a page is a range read of 51 entries, not a scan.
-- The rank expression must match storage/review_queue.py's `_RANK` (and `flags_by_severity`, 0007).
CREATE INDEX flags_queue_agency ON flags (
    status,
    agency_id,
    (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END),
    created_at,
    flag_id
) WHERE active = 1;
CREATE INDEX flags_queue_category ON flags (
    status,
    category,
    (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END),
    created_at,
    flag_id
) WHERE active = 1;

-- The queue's counts, one per category: each a range of an index that starts with the category,
-- read from the index alone (covering: every column a filter may name, `active` included so the
-- planner sees it covers the query). The call's date comes right after the category so a date
-- filter narrows the range (and the planner prefers this index to `flags_agency_recorded`). The
-- second serves agency-bound inspectors and the agency filter with a seek on the agency.
CREATE INDEX flags_queue_counts ON flags (status, category, recorded_at, severity, agency_id, source, active)
    WHERE active = 1;
CREATE INDEX flags_queue_agency_counts ON flags (status, agency_id, category, recorded_at, severity, source, active)
    WHERE active = 1;

-- A recording's current flags in time order, one page at a time (the recording page).
CREATE INDEX flags_recording_active ON flags (recording_id, start_s, flag_id) WHERE active = 1;
