// The delivery log of a project: pages loaded with "Load more", filters from the URL, and
// a quiet refresh of the newest page while deliveries are still being tried.
import { untrack } from 'svelte';
import { listAlerts } from '../api/alerts.ts';
import { ApiError, isApiError } from '../api/client.ts';
import type { Alert, AlertStatus } from '../api/types.ts';

export interface AlertLogQuery {
	projectId: number;
	status?: AlertStatus;
	type?: string;
}

const PAGE = 50;

function asApiError(error: unknown): ApiError {
	return isApiError(error) ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

export class AlertLog {
	items = $state<Alert[]>([]);
	nextCursor = $state<string | undefined>(undefined);
	/** The first page is loading (skeleton). */
	loading = $state(true);
	/** The next page is loading (button). */
	loadingMore = $state(false);
	error = $state<ApiError | null>(null);
	moreError = $state<ApiError | null>(null);

	#query: () => AlertLogQuery;
	#controller: AbortController | null = null;
	#generation = 0;

	/** Create during component setup: loads at once and again when the query changes. */
	constructor(query: () => AlertLogQuery) {
		this.#query = query;
		$effect(() => {
			const q = this.#query();
			untrack(() => void this.#loadFirst(q, true));
			return () => this.#controller?.abort();
		});
	}

	/** Some deliveries are still being tried: worth refreshing. */
	get hasPending(): boolean {
		return this.items.some((alert) => alert.status === 'pending');
	}

	retry(): Promise<void> {
		return this.#loadFirst(untrack(this.#query), true);
	}

	/** Loads the newest page again and merges it in, keeping what "Load more" added below. */
	refresh(): Promise<void> {
		return this.#loadFirst(untrack(this.#query), false);
	}

	async #loadFirst(q: AlertLogQuery, fromScratch: boolean): Promise<void> {
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
			const page = await listAlerts(q.projectId, { status: q.status, type: q.type, limit: PAGE }, { signal: controller.signal });
			if (generation !== this.#generation) return;
			if (fromScratch || this.items.length <= PAGE) {
				this.items = page.data;
				this.nextCursor = page.nextCursor;
			} else {
				// keep the older rows loaded by "Load more"; fresh copies of the newest ones replace theirs
				const fresh = new Set(page.data.map((alert) => alert.id));
				const oldestFresh = page.data.at(-1)?.createdAt ?? '';
				const older = this.items.filter((alert) => !fresh.has(alert.id) && alert.createdAt <= oldestFresh);
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
		const q = untrack(this.#query);
		const generation = this.#generation;
		this.loadingMore = true;
		this.moreError = null;
		try {
			const page = await listAlerts(q.projectId, { status: q.status, type: q.type, limit: PAGE, cursor });
			if (generation !== this.#generation) return;
			const known = new Set(this.items.map((alert) => alert.id));
			this.items = [...this.items, ...page.data.filter((alert) => !known.has(alert.id))];
			this.nextCursor = page.nextCursor;
		} catch (error) {
			if (generation === this.#generation) this.moreError = asApiError(error);
		} finally {
			this.loadingMore = false;
		}
	}
}
