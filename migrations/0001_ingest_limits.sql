ALTER TABLE `projects` ADD `rate_limit_per_minute` integer DEFAULT 60000 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `monthly_quota` integer DEFAULT 10000000 NOT NULL;