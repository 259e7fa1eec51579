// The runs of a cron monitor, newest first: pages loaded with "Load more", and a quiet refresh of the
// newest page (new runs, and runs that finished meanwhile) that keeps what "Load more" added below.
import { untrack } from 'svelte';
import { ApiError, isApiError } from '../api/client.ts';
import { listCheckins, type CronCheckin } from '../api/crons.ts';

export const RUNS_PAGE = 50;

function asApiError(error: unknown): ApiError {
	return isApiError(error) ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

export class CronRuns {
	items = $state<CronCheckin[]>([]);
	nextCursor = $state<string | undefined>(undefined);
	/** The first page has not arrived yet (skeleton). */
	loading = $state(true);
	loadingMore = $state(false);
	error = $state<ApiError | null>(null);
	moreError = $state<ApiError | null>(null);

	#cronId: () => number;
	#controller: AbortController | null = null;
	#generation = 0;

	/** Create during component setup: loads at once and again when the monitor changes. */
	constructor(cronId: () => number) {
		this.#cronId = cronId;
		$effect(() => {
			const id = this.#cronId();
			untrack(() => void this.#loadFirst(id, true));
			return () => this.#controller?.abort();
		});
	}

	retry(): Promise<void> {
		return this.#loadFirst(untrack(this.#cronId), true);
	}

	/** Loads the newest page again and merges it in. */
	refresh(): Promise<void> {
		return this.#loadFirst(untrack(this.#cronId), false);
	}

	async #loadFirst(id: number, fromScratch: boolean): Promise<void> {
		if (!Number.isInteger(id)) return;
		this.#controller?.abort();
		const controller = new AbortController();
		this.#controller = controller;
		const generation = ++this.#generation;
		if (fromScratch) {
			this.loading = true;
			this.items = [];
			this.nextCursor = undefined;
		}
		this.error = null;
		this.moreError = null;
		try {
			const page = await listCheckins(id, { limit: RUNS_PAGE }, { signal: controller.signal });
			if (generation !== this.#generation) return;
			if (fromScratch || this.items.length <= RUNS_PAGE) {
				this.items = page.data;
				this.nextCursor = page.nextCursor;
			} else {
				// keep the older runs loaded by "Load more"; fresh copies of the newest ones replace theirs
				const fresh = new Set(page.data.map((r) => r.id));
				const oldestFresh = page.data.at(-1)?.startedAt ?? '';
				const older = this.items.filter((r) => !fresh.has(r.id) && r.startedAt < oldestFresh);
				this.items = [...page.data, ...older];
			}
		} catch (error) {
			if (generation !== this.#generation || controller.signal.aborted) return;
			if (fromScratch) this.error = asApiError(error);
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async loadMore(): Promise<void> {
		const cursor = this.nextCursor;
		if (!cursor || this.loadingMore) return;
		const id = untrack(this.#cronId);
		const generation = this.#generation;
		this.loadingMore = true;
		this.moreError = null;
		try {
			const page = await listCheckins(id, { limit: RUNS_PAGE, cursor });
			if (generation !== this.#generation) return;
			const known = new Set(this.items.map((r) => r.id));
			this.items = [...this.items, ...page.data.filter((r) => !known.has(r.id))];
			this.nextCursor = page.nextCursor;
		} catch (error) {
			if (generation === this.#generation) this.moreError = asApiError(error);
		} finally {
			this.loadingMore = false;
		}
	}
}
