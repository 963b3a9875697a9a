CREATE TYPE "public"."action_status" AS ENUM('planned', 'in_progress', 'completed', 'dropped');--> statement-breakpoint
CREATE TABLE "result_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"scope" jsonb NOT NULL,
	"content" jsonb NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"finding_kind" text NOT NULL,
	"finding" text NOT NULL,
	"measure" text,
	"title" text NOT NULL,
	"owner" text NOT NULL,
	"due_date" date,
	"status" "action_status" DEFAULT 'planned' NOT NULL,
	"public_wording" text DEFAULT '' NOT NULL,
	"public_wording_cy" text DEFAULT '' NOT NULL,
	"show_publicly" boolean DEFAULT false NOT NULL,
	"wave_before" text,
	"wave_after" text,
	"completed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_actions_kind" CHECK ("survey_actions"."finding_kind" in ('measure', 'group', 'driver', 'theme'))
);
--> statement-breakpoint
ALTER TABLE "result_snapshots" ADD CONSTRAINT "result_snapshots_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_snapshots" ADD CONSTRAINT "result_snapshots_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_snapshots" ADD CONSTRAINT "result_snapshots_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_actions" ADD CONSTRAINT "survey_actions_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_actions" ADD CONSTRAINT "survey_actions_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_actions" ADD CONSTRAINT "survey_actions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "result_snapshots_org_published_idx" ON "result_snapshots" USING btree ("organisation_id","published_at");--> statement-breakpoint
CREATE INDEX "survey_actions_org_series_idx" ON "survey_actions" USING btree ("organisation_id","series_id");