// The ways to ignore an issue, as the API takes them.
import type { UpdateIssueRequest } from '../api/types.ts';

export interface IgnoreOption {
	id: string;
	label: string;
	request: () => UpdateIssueRequest;
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export const IGNORE_OPTIONS: readonly IgnoreOption[] = [
	{ id: 'forever', label: 'Ignore forever', request: () => ({ status: 'ignored' }) },
	{ id: '1h', label: 'For 1 hour', request: () => ({ status: 'ignored', ignoreUntil: hoursFromNow(1) }) },
	{ id: '24h', label: 'For 24 hours', request: () => ({ status: 'ignored', ignoreUntil: hoursFromNow(24) }) },
	{ id: '10', label: 'Until 10 more events', request: () => ({ status: 'ignored', ignoreCount: 10 }) },
	{ id: '100', label: 'Until 100 more events', request: () => ({ status: 'ignored', ignoreCount: 100 }) }
];
