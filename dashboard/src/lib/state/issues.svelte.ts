// The issue list of a project for one search: pages loaded so far, new issues merged in by polling,
// and the rows selected for a bulk action.
import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import { ApiError, isApiError } from '../api/client.ts';
import { listIssues } from '../api/issues.ts';
import type { Issue, IssueSort } from '../api/types.ts';

const PAGE = 50;
/** The API's largest page: polling refreshes at most this many rows. */
const MAX_PAGE = 100;

export interface IssueSearch {
	projectId: number;
	query: string;
	sort: IssueSort;
}

function toApiError(error: unknown): ApiError {
	return isApiError(error) ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

export class IssueList {
	items = $state<Issue[]>([]);
	nextCursor = $state<string | undefined>(undefined);
	/** The first page is loading (nothing to show yet). */
	loading = $state(true);
	loadingMore = $state(false);
	error = $state<ApiError | null>(null);
	moreError = $state<ApiError | null>(null);
	/** For an empty answer: whether the project has any issue at all (null: not known yet). */
	projectHasIssues = $state<boolean | null>(null);
	/** Ids that arrived by polling, highlighted for a moment. */
	fresh = new SvelteSet<number>();
	selected = new SvelteSet<number>();

	#search: () => IssueSearch;
	#generation = 0;

	constructor(search: () => IssueSearch) {
		this.#search = search;
		$effect(() => {
			const current = this.#search();
			untrack(() => void this.#loadFirst(current));
		});
	}

	get search(): IssueSearch {
		return untrack(() => this.#search());
	}

	async #loadFirst(search: IssueSearch): Promise<void> {
		const generation = ++this.#generation;
		this.loading = true;
		this.error = null;
		this.moreError = null;
		this.items = [];
		this.nextCursor = undefined;
		this.projectHasIssues = null;
		this.selected.clear();
		this.fresh.clear();
		try {
			const page = await listIssues(search.projectId, { query: search.query, sort: search.sort, limit: PAGE });
			if (generation !== this.#generation) return;
			this.items = page.data;
			this.nextCursor = page.nextCursor;
			if (page.data.length === 0) await this.#checkProjectHasIssues(search, generation);
		} catch (error) {
			if (generation === this.#generation) this.error = toApiError(error);
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async #checkProjectHasIssues(search: IssueSearch, generation: number): Promise<void> {
		if (search.query.trim() === '') {
			this.projectHasIssues = false;
			return;
		}
		try {
			const any = await listIssues(search.projectId, { query: '', limit: 1 });
			if (generation === this.#generation) this.projectHasIssues = any.data.length > 0;
		} catch {
			if (generation === this.#generation) this.projectHasIssues = true; // say "no match" rather than guess
		}
	}

	/** Loads from scratch (the Retry button). */
	retry(): Promise<void> {
		return this.#loadFirst(this.search);
	}

	async loadMore(): Promise<void> {
		if (!this.nextCursor || this.loadingMore) return;
		const generation = this.#generation;
		const search = this.search;
		this.loadingMore = true;
		this.moreError = null;
		try {
			const page = await listIssues(search.projectId, {
				query: search.query,
				sort: search.sort,
				limit: PAGE,
				cursor: this.nextCursor
			});
			if (generation !== this.#generation) return;
			const known = new Set(this.items.map((i) => i.id));
			this.items = [...this.items, ...page.data.filter((i) => !known.has(i.id))];
			this.nextCursor = page.nextCursor;
		} catch (error) {
			if (generation === this.#generation) this.moreError = toApiError(error);
		} finally {
			this.loadingMore = false;
		}
	}

	/**
	 * Fetches the rows on screen again (up to 100) without blanking them: new issues appear, counts and
	 * sparklines move, issues that no longer match leave. Errors are kept quiet; the next poll retries.
	 */
	async refresh(): Promise<void> {
		if (this.loading || this.loadingMore) return;
		const generation = this.#generation;
		const search = this.search;
		const limit = Math.min(MAX_PAGE, Math.max(PAGE, this.items.length));
		const page = await listIssues(search.projectId, { query: search.query, sort: search.sort, limit });
		if (generation !== this.#generation || this.loadingMore) return;
		const before = new Set(this.items.map((i) => i.id));
		const had = this.items.length > 0 || this.projectHasIssues === true;
		const ids = new Set(page.data.map((i) => i.id));
		const tail = this.items.length > limit ? this.items.slice(limit).filter((i) => !ids.has(i.id)) : [];
		this.items = [...page.data, ...tail];
		if (this.items.length <= limit) this.nextCursor = page.nextCursor;
		if (this.items.length > 0) this.projectHasIssues = true;
		if (had) {
			for (const issue of page.data) {
				if (!before.has(issue.id)) this.fresh.add(issue.id);
			}
		}
		const present = new Set(this.items.map((i) => i.id));
		for (const id of this.selected) if (!present.has(id)) this.selected.delete(id);
		for (const id of this.fresh) if (!present.has(id)) this.fresh.delete(id);
	}

	/** After a bulk change: rows that no longer match the search leave at once; the next refresh confirms. */
	applyLocally(ids: number[], change: Partial<Issue>, stillMatches: (issue: Issue) => boolean): void {
		const set = new Set(ids);
		this.items = this.items
			.map((issue) => (set.has(issue.id) ? { ...issue, ...change } : issue))
			.filter((issue) => !set.has(issue.id) || stillMatches(issue));
		for (const id of ids) this.selected.delete(id);
	}

	get allSelected(): boolean {
		return this.items.length > 0 && this.items.every((i) => this.selected.has(i.id));
	}

	toggleAll(): void {
		if (this.allSelected) this.selected.clear();
		else for (const issue of this.items) this.selected.add(issue.id);
	}

	toggle(id: number): void {
		if (this.selected.has(id)) this.selected.delete(id);
		else this.selected.add(id);
	}
}
