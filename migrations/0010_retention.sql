CREATE TABLE `deletions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`cron_ids` text NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`cursor` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sweeps` (
	`name` text PRIMARY KEY NOT NULL,
	`after` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `events_retention_days` integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `checks_retention_days` integer DEFAULT 91 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `transactions_retention_days` integer DEFAULT 14 NOT NULL;