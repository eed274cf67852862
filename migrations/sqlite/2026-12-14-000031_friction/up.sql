-- Staff users may have an e-mail address: an import's broker column names the broker by
-- name or e-mail, and a sign-in by e-ID/OIDC can carry it.
ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

-- One open placement per person and kind without an opening (studies): "Föreslå studier"
-- twice, or by two brokers at once, is one proposal. Earlier duplicates are withdrawn first,
-- the earliest kept.
UPDATE placements SET status = 'withdrawn'
WHERE opening_id IS NULL
  AND status NOT IN ('ended', 'declined_by_seeker', 'declined_by_employer', 'withdrawn')
  AND EXISTS (
    SELECT 1 FROM placements p2
    WHERE p2.seeker_id = placements.seeker_id AND p2.kind = placements.kind
      AND p2.opening_id IS NULL
      AND p2.status NOT IN ('ended', 'declined_by_seeker', 'declined_by_employer', 'withdrawn')
      AND (p2.created_at < placements.created_at OR (p2.created_at = placements.created_at AND p2.id < placements.id))
  );
CREATE UNIQUE INDEX placements_one_open_without_opening ON placements (seeker_id, kind)
    WHERE opening_id IS NULL AND status NOT IN ('ended', 'declined_by_seeker', 'declined_by_employer', 'withdrawn');
