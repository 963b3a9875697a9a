CREATE TABLE "response_comment_themes" (
	"organisation_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"question_name" text NOT NULL,
	"theme_id" uuid NOT NULL,
	"coded_by" uuid,
	"coded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "response_comment_themes_response_id_question_name_theme_id_pk" PRIMARY KEY("response_id","question_name","theme_id")
);
--> statement-breakpoint
CREATE TABLE "survey_themes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"name" text NOT NULL,
	"keywords" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "response_comment_themes" ADD CONSTRAINT "response_comment_themes_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_comment_themes" ADD CONSTRAINT "response_comment_themes_response_id_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."responses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_comment_themes" ADD CONSTRAINT "response_comment_themes_theme_id_survey_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."survey_themes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_comment_themes" ADD CONSTRAINT "response_comment_themes_coded_by_users_id_fk" FOREIGN KEY ("coded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_themes" ADD CONSTRAINT "survey_themes_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_themes" ADD CONSTRAINT "survey_themes_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_themes" ADD CONSTRAINT "survey_themes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "response_comment_themes_theme_idx" ON "response_comment_themes" USING btree ("theme_id");--> statement-breakpoint
CREATE INDEX "survey_themes_org_survey_idx" ON "survey_themes" USING btree ("organisation_id","survey_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_themes_survey_name_idx" ON "survey_themes" USING btree ("survey_id",lower("name"));