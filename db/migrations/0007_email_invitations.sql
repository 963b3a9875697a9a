CREATE TABLE "invitation_mailings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"name" text NOT NULL,
	"transport" text NOT NULL,
	"created_by" uuid,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"last_reminder_at" timestamp with time zone,
	"addresses_delete_after" timestamp with time zone NOT NULL,
	"addresses_deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitation_recipients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"mailing_id" uuid NOT NULL,
	"invitation_id" uuid NOT NULL,
	"email" text,
	"link_token" text,
	"language" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"reminder_status" text,
	"reminder_attempts" integer DEFAULT 0 NOT NULL,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"last_reminded_at" timestamp with time zone,
	"opted_out_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitation_recipients_invitation_id_unique" UNIQUE("invitation_id"),
	CONSTRAINT "invitation_recipients_language" CHECK ("invitation_recipients"."language" in ('en', 'cy')),
	CONSTRAINT "invitation_recipients_status" CHECK ("invitation_recipients"."status" in ('queued', 'sent', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "invitation_mailings" ADD CONSTRAINT "invitation_mailings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation_mailings" ADD CONSTRAINT "invitation_mailings_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation_mailings" ADD CONSTRAINT "invitation_mailings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation_recipients" ADD CONSTRAINT "invitation_recipients_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation_recipients" ADD CONSTRAINT "invitation_recipients_mailing_id_invitation_mailings_id_fk" FOREIGN KEY ("mailing_id") REFERENCES "public"."invitation_mailings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation_recipients" ADD CONSTRAINT "invitation_recipients_invitation_id_response_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."response_invitations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invitation_mailings_survey_idx" ON "invitation_mailings" USING btree ("organisation_id","survey_id");--> statement-breakpoint
CREATE INDEX "invitation_recipients_mailing_idx" ON "invitation_recipients" USING btree ("organisation_id","mailing_id");