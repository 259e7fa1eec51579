// The lines of one log search: the pages loaded so far (newest first), where the next page starts, and
// the lines the live tail adds on top, at most MAX_LIVE_ROWS of them in all.
import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import { ApiError, isApiError } from '../api/client.ts';
import { searchLogs, type LogLine, type LogSearchParams } from '../api/logs.ts';

const PAGE = 100;
/** Rows kept while lines stream in; the oldest leave first (Load older brings them back). */
export const MAX_LIVE_ROWS = 1000;

export interface LogQuery {
	projectId: number;
	params: Required<Pick<LogSearchParams, 'q' | 'level' | 'from' | 'to'>>;
	/** How far back to look when the search is empty, to tell "never sent a line" from "none here". */
	retentionDays: number;
}

function toApiError(error: unknown): ApiError {
	return isApiError(error) ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

const byNewest = (a: LogLine, b: LogLine) => Number(b.id) - Number(a.id);

export class LogResults {
	lines = $state<LogLine[]>([]);
	nextCursor = $state<string | null>(null);
	/** The archive search stopped at its budget at this time (more may match further back). */
	stoppedAt = $state<string | null>(null);
	loading = $state(true);
	loadingMore = $state(false);
	error = $state<ApiError | null>(null);
	moreError = $state<ApiError | null>(null);
	/** For an empty answer: whether the project has any line at all (null: not known yet). */
	projectHasLines = $state<boolean | null>(null);
	/** Ids the live tail added, highlighted as they arrive. */
	fresh = new SvelteSet<string>();

	#query: () => LogQuery;
	#generation = 0;
	#controller: AbortController | null = null;

	constructor(query: () => LogQuery) {
		this.#query = query;
		$effect(() => {
			const current = this.#query();
			untrack(() => void this.#loadFirst(current));
		});
	}

	/** `quiet`: what is on screen stays until the answer (a background check, no skeleton). */
	async #loadFirst(query: LogQuery, quiet = false): Promise<void> {
		const generation = ++this.#generation;
		this.#controller?.abort();
		const controller = (this.#controller = new AbortController());
		if (!quiet) {
			this.loading = true;
			this.error = null;
			this.moreError = null;
			this.projectHasLines = null;
		}
		try {
			const page = await searchLogs(query.projectId, { ...query.params, limit: PAGE }, { signal: controller.signal });
			if (generation !== this.#generation) return;
			this.error = null;
			this.lines = page.data;
			this.nextCursor = page.nextCursor;
			this.stoppedAt = page.archive.stoppedAt;
			this.fresh.clear();
			if (page.data.length > 0) this.projectHasLines = true;
			else if (!page.nextCursor) await this.#checkProjectHasLines(query, generation, controller.signal);
		} catch (error) {
			if (generation === this.#generation && !controller.signal.aborted && !quiet) {
				this.error = toApiError(error);
				this.lines = [];
			}
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async #checkProjectHasLines(query: LogQuery, generation: number, signal: AbortSignal): Promise<void> {
		const p = query.params;
		const now = Date.now();
		const everything = !p.q && !p.level && Date.parse(p.from) <= now - query.retentionDays * 86_400_000;
		if (everything) {
			this.projectHasLines = false;
			return;
		}
		try {
			const any = await searchLogs(
				query.projectId,
				{ from: new Date(now - query.retentionDays * 86_400_000).toISOString(), to: new Date(now + 60_000).toISOString(), limit: 1 },
				{ signal }
			);
			if (generation === this.#generation) this.projectHasLines = any.data.length > 0 || !!any.nextCursor;
		} catch {
			if (generation === this.#generation) this.projectHasLines = true; // say "no match" rather than guess
		}
	}

	/** Runs the search again (Retry); `quiet` keeps the rows on screen meanwhile and errors to itself. */
	reload(options: { quiet?: boolean } = {}): Promise<void> {
		return this.#loadFirst(untrack(() => this.#query()), options.quiet);
	}

	/** The next page of older lines (also "Search further" after the archive budget stopped a page). */
	async loadOlder(): Promise<void> {
		if (!this.nextCursor || this.loadingMore) return;
		const generation = this.#generation;
		const query = untrack(() => this.#query());
		this.loadingMore = true;
		this.moreError = null;
		try {
			const page = await searchLogs(query.projectId, { ...query.params, cursor: this.nextCursor, limit: PAGE });
			if (generation !== this.#generation) return;
			const known = new Set(this.lines.map((l) => l.id));
			this.lines = [...this.lines, ...page.data.filter((l) => !known.has(l.id))];
			this.nextCursor = page.nextCursor;
			this.stoppedAt = page.archive.stoppedAt;
			if (this.lines.length > 0) this.projectHasLines = true;
		} catch (error) {
			if (generation === this.#generation) this.moreError = toApiError(error);
		} finally {
			this.loadingMore = false;
		}
	}

	/** Lines from the live tail: on top, newest first, each once; beyond MAX_LIVE_ROWS the oldest rows go. */
	addLive(incoming: LogLine[]): void {
		if (incoming.length === 0) return;
		const known = new Set(this.lines.map((l) => l.id));
		const added = incoming.filter((l) => !known.has(l.id)).sort(byNewest);
		if (added.length === 0) return;
		for (const line of added) this.fresh.add(line.id);
		let next = [...added, ...this.lines];
		if (next.length > MAX_LIVE_ROWS) {
			next = next.slice(0, MAX_LIVE_ROWS);
			// the cut rows are older than the last one kept: Load older continues from it
			this.nextCursor = next[next.length - 1]!.id;
			this.stoppedAt = null;
			const kept = new Set(next.map((l) => l.id));
			for (const id of this.fresh) if (!kept.has(id)) this.fresh.delete(id);
		}
		this.lines = next;
		this.projectHasLines = true;
	}
}
