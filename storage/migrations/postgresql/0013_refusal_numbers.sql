-- 0013 on PostgreSQL (see ../0013_refusal_numbers.sql): the contact's number from the case document.
UPDATE ceases SET number = (
    SELECT contact ->> 'number'
    FROM cases, jsonb_array_elements(COALESCE(cases.doc::jsonb -> 'contacts', '[]'::jsonb)) AS contact
    WHERE cases.case_id = ceases.case_id
      AND contact ->> 'contact_id' = ceases.contact_id
    LIMIT 1
)
WHERE contact_id IS NOT NULL AND number IS NULL;
