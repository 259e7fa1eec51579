CREATE TABLE `releases` (
	`project_id` integer NOT NULL,
	`version` text NOT NULL,
	`first_seen` integer NOT NULL,
	PRIMARY KEY(`project_id`, `version`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `issues` ADD `regressed_at` integer;--> statement-breakpoint
CREATE INDEX `events_project_time_idx` ON `events` (`project_id`,`timestamp`);--> statement-breakpoint
INSERT OR IGNORE INTO `releases` (`project_id`, `version`, `first_seen`) SELECT `project_id`, `release`, min(`timestamp`) FROM `events` WHERE `release` IS NOT NULL GROUP BY `project_id`, `release`;--> statement-breakpoint
INSERT INTO `releases` (`project_id`, `version`, `first_seen`) SELECT `project_id`, `release`, min(`start`) FROM `perf_transactions` WHERE `release` IS NOT NULL GROUP BY `project_id`, `release` ON CONFLICT (`project_id`, `version`) DO UPDATE SET `first_seen` = min(`first_seen`, excluded.`first_seen`);
