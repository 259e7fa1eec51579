CREATE TABLE `saved_searches` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`query` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `saved_searches_project_idx` ON `saved_searches` (`project_id`);--> statement-breakpoint
ALTER TABLE `projects` ADD `logs_hot_days` integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `logs_retention_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `alert_rules` ADD `log_query` text;