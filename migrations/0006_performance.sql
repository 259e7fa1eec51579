CREATE TABLE `perf_queries` (
	`project_id` integer NOT NULL,
	`day` integer NOT NULL,
	`transaction` text NOT NULL,
	`hash` text NOT NULL,
	`sql` text NOT NULL,
	`count` integer NOT NULL,
	`requests` integer NOT NULL,
	`total_ms` real NOT NULL,
	`histogram` text NOT NULL,
	`slowest_ms` real NOT NULL,
	`slowest_event_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `day`, `transaction`, `hash`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `perf_rollups` (
	`project_id` integer NOT NULL,
	`resolution` text NOT NULL,
	`start` integer NOT NULL,
	`transaction` text NOT NULL,
	`count` integer NOT NULL,
	`failures` integer NOT NULL,
	`satisfied` integer NOT NULL,
	`tolerating` integer NOT NULL,
	`duration_sum` real NOT NULL,
	`histogram` text NOT NULL,
	`part_sums` text NOT NULL,
	`part_histograms` text NOT NULL,
	PRIMARY KEY(`project_id`, `resolution`, `start`, `transaction`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `perf_transactions` (
	`project_id` integer NOT NULL,
	`event_id` text NOT NULL,
	`trace_id` text NOT NULL,
	`transaction` text NOT NULL,
	`start` integer NOT NULL,
	`duration_ms` real NOT NULL,
	`status` text NOT NULL,
	`http_status` integer,
	`environment` text,
	`release` text,
	`span_count` integer NOT NULL,
	`breakdown` text NOT NULL,
	`r2_key` text NOT NULL,
	`aggregated` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`project_id`, `event_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `perf_transactions_route_duration_idx` ON `perf_transactions` (`project_id`,`transaction`,`duration_ms`);--> statement-breakpoint
CREATE INDEX `perf_transactions_trace_idx` ON `perf_transactions` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE INDEX `perf_transactions_start_idx` ON `perf_transactions` (`project_id`,`start`);--> statement-breakpoint
ALTER TABLE `projects` ADD `apdex_threshold_ms` integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `trace_id` text;--> statement-breakpoint
CREATE INDEX `events_trace_idx` ON `events` (`project_id`,`trace_id`);