-- One identity: the user an arbetsmarknadssekreterare signs in with is the officer who meets
-- applicants, so the agenda page knows whose meetings to show.
ALTER TABLE officers ADD COLUMN user_id TEXT REFERENCES users (id);
CREATE UNIQUE INDEX officers_user ON officers (user_id) WHERE user_id IS NOT NULL;
