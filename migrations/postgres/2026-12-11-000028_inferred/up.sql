-- What the reader (`vocabulary::written`) read from the person's summary: occupations with
-- stance, confidence and the words that gave them, skills, licences (JSON, with the reader's
-- version). Derived from the summary, written with it, erased with it.
ALTER TABLE seekers ADD COLUMN inferred TEXT;
