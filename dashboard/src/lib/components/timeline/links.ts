// Where the timeline's marks lead: the page of the thing under the pointer. Given by the page, so the
// lanes know nothing of URLs.
import type { TimelineIncident } from '../../api/timeline.ts';

export interface TimelineLinks {
	monitor(monitorId: number): string;
	/** The monitor page zoomed to the incident. */
	incident(monitorId: number, incident: TimelineIncident): string;
	newMonitor: string;
	cron(cronId: number): string;
	newCron: string;
	issue(issueId: number): string;
	/** The issue list (errors of issues outside the top ones). */
	issues: string;
	/** The log search over a window (epoch ms). */
	logs(from: number, to: number): string;
	/** How to send logs (the Logs page teaches it when empty). */
	logsPage: string;
	trace(traceId: string): string;
	performance: string;
	release(version: string): string;
	setup: string;
}
