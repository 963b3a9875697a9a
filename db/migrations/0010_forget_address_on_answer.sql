-- Decision 020: an invitee's e-mail address and plain link are deleted in the same transaction as their answer,
-- so an answer is never linked to an address. drizzle-kit cannot express triggers, hence this hand-written file.
CREATE OR REPLACE FUNCTION cse_forget_invitee_address() RETURNS trigger AS $$
BEGIN
  UPDATE invitation_recipients SET email = NULL, link_token = NULL
  WHERE invitation_id = NEW.id AND organisation_id = NEW.organisation_id AND email IS NOT NULL;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER response_invitations_forget_address
AFTER UPDATE OF used_at ON response_invitations
FOR EACH ROW WHEN (OLD.used_at IS NULL AND NEW.used_at IS NOT NULL)
EXECUTE FUNCTION cse_forget_invitee_address();
