-- 0013: a third party's refusal blocks the person's number on every case of the lender (the
-- decision reads refusals by `ceases.number`). Refusals recorded before stored no number: give
-- each the number its contact has on the case now (E.164, as case documents keep them). A contact
-- since removed from its case keeps no number and blocks only its contact id, as before.
UPDATE ceases SET number = (
    SELECT json_extract(contact.value, '$.number')
    FROM cases, json_each(cases.doc, '$.contacts') AS contact
    WHERE cases.case_id = ceases.case_id
      AND json_extract(contact.value, '$.contact_id') = ceases.contact_id
    LIMIT 1
)
WHERE contact_id IS NOT NULL AND number IS NULL;
