CREATE TABLE `cron_checkins` (
	`id` text PRIMARY KEY NOT NULL,
	`monitor_id` integer NOT NULL,
	`status` text NOT NULL,
	`run_id` text,
	`source` text NOT NULL,
	`environment` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`duration_ms` integer,
	`exit_code` integer,
	`log` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`monitor_id`) REFERENCES `cron_monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cron_checkins_monitor_started_idx` ON `cron_checkins` (`monitor_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `cron_checkins_received_idx` ON `cron_checkins` (`received_at`);--> statement-breakpoint
CREATE TABLE `cron_monitors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`schedule` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`checkin_margin` integer DEFAULT 1 NOT NULL,
	`max_runtime` integer DEFAULT 30 NOT NULL,
	`failure_threshold` integer DEFAULT 1 NOT NULL,
	`recovery_threshold` integer DEFAULT 1 NOT NULL,
	`environment` text,
	`paused` integer DEFAULT false NOT NULL,
	`state` text DEFAULT 'new' NOT NULL,
	`state_since` integer NOT NULL,
	`last_checkin_at` integer,
	`last_duration_ms` integer,
	`next_expected_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cron_monitors_project_slug_idx` ON `cron_monitors` (`project_id`,`slug`);