CREATE TABLE `monitor_incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`monitor_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	`confirmed_at` integer NOT NULL,
	`ended_at` integer,
	`failing_regions` text NOT NULL,
	`first_error` text NOT NULL,
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `monitor_incidents_monitor_idx` ON `monitor_incidents` (`monitor_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `monitor_incidents_project_idx` ON `monitor_incidents` (`project_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `monitor_checks` (
	`id` text PRIMARY KEY NOT NULL,
	`monitor_id` integer NOT NULL,
	`round_at` integer NOT NULL,
	`region` text NOT NULL,
	`status` text NOT NULL,
	`http_status` integer,
	`latency_ms` integer,
	`error_class` text,
	`error` text,
	`excerpt` text,
	`checked_at` integer NOT NULL,
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `monitor_checks_monitor_time_idx` ON `monitor_checks` (`monitor_id`,`checked_at`);--> statement-breakpoint
CREATE INDEX `monitor_checks_time_idx` ON `monitor_checks` (`checked_at`);--> statement-breakpoint
CREATE TABLE `monitor_gaps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`monitor_id` integer NOT NULL,
	`from` integer NOT NULL,
	`to` integer NOT NULL,
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `monitor_gaps_monitor_idx` ON `monitor_gaps` (`monitor_id`,`from`);--> statement-breakpoint
CREATE TABLE `monitor_hourly` (
	`monitor_id` integer NOT NULL,
	`hour` integer NOT NULL,
	`checks` integer NOT NULL,
	`failures` integer NOT NULL,
	`degraded` integer NOT NULL,
	`min_ms` integer,
	`avg_ms` real,
	`p95_ms` integer,
	PRIMARY KEY(`monitor_id`, `hour`),
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `monitors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`url` text NOT NULL,
	`method` text DEFAULT 'GET' NOT NULL,
	`headers` text NOT NULL,
	`body` text,
	`expected_status` text NOT NULL,
	`keyword` text,
	`keyword_mode` text DEFAULT 'present' NOT NULL,
	`json_assertion` text,
	`max_response_ms` integer,
	`follow_redirects` integer DEFAULT true NOT NULL,
	`timeout_ms` integer NOT NULL,
	`interval_seconds` integer NOT NULL,
	`regions` text NOT NULL,
	`confirm_rounds` integer DEFAULT 0 NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`maintenance` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`state_since` integer NOT NULL,
	`fail_streak` integer DEFAULT 0 NOT NULL,
	`suspect_since` integer,
	`suspect_error` text,
	`open_incident_id` integer,
	`last_check_at` integer,
	`last_latency_ms` integer,
	`next_check_at` integer NOT NULL,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `monitors_project_idx` ON `monitors` (`project_id`);--> statement-breakpoint
CREATE INDEX `monitors_due_idx` ON `monitors` (`paused`,`next_check_at`);