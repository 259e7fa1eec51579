CREATE TABLE `events` (
	`project_id` integer NOT NULL,
	`event_id` text NOT NULL,
	`issue_id` integer,
	`timestamp` integer NOT NULL,
	`received_at` integer NOT NULL,
	`level` text NOT NULL,
	`title` text NOT NULL,
	`release` text,
	`environment` text,
	`user_label` text,
	`url` text,
	`r2_key` text NOT NULL,
	PRIMARY KEY(`project_id`, `event_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_issue_time_idx` ON `events` (`issue_id`,`timestamp`);--> statement-breakpoint
CREATE TABLE `issue_hourly` (
	`issue_id` integer NOT NULL,
	`hour` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`issue_id`, `hour`),
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `issue_tags` (
	`issue_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`issue_id`, `key`, `value`),
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `issue_users` (
	`issue_id` integer NOT NULL,
	`user_hash` text NOT NULL,
	PRIMARY KEY(`issue_id`, `user_hash`),
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`kind` text DEFAULT 'error' NOT NULL,
	`hash` text NOT NULL,
	`grouping_algorithm` text NOT NULL,
	`title` text NOT NULL,
	`culprit` text NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`level` text NOT NULL,
	`status` text DEFAULT 'unresolved' NOT NULL,
	`substatus` text DEFAULT 'new' NOT NULL,
	`resolved_in_release` text,
	`resolved_at` integer,
	`ignored_until` integer,
	`ignored_until_count` integer,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`first_release` text,
	`last_release` text,
	`count` integer DEFAULT 0 NOT NULL,
	`user_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issues_project_hash_idx` ON `issues` (`project_id`,`hash`);--> statement-breakpoint
CREATE INDEX `issues_project_last_seen_idx` ON `issues` (`project_id`,`last_seen`);--> statement-breakpoint
ALTER TABLE `projects` ADD `store_ip` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `scrub_fields` text DEFAULT '[]' NOT NULL;