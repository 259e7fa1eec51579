CREATE INDEX `perf_queries_day_idx` ON `perf_queries` (`day`);--> statement-breakpoint
CREATE INDEX `perf_rollups_retention_idx` ON `perf_rollups` (`resolution`,`start`);--> statement-breakpoint
CREATE INDEX `perf_transactions_retention_idx` ON `perf_transactions` (`start`);