// Data loaded from the API for one view: the value, the error and whether it is loading.
// Create it during component setup; it loads at once and again whenever a reactive value
// read synchronously by the loader (e.g. a route parameter) changes.
import { untrack } from 'svelte';
import { ApiError, isApiError } from '../api/client.ts';

export class Resource<T> {
	data = $state<T | undefined>(undefined);
	error = $state<ApiError | null>(null);
	loading = $state(true);

	#loader: (signal: AbortSignal) => Promise<T>;
	#controller: AbortController | null = null;
	#generation = 0;

	/**
	 * With `keepPrevious`, a change of what the loader reads keeps the current value on screen until
	 * the new one arrives (e.g. stepping between events without the page jumping).
	 */
	constructor(loader: (signal: AbortSignal) => Promise<T>, options: { keepPrevious?: boolean } = {}) {
		this.#loader = loader;
		$effect(() => {
			const controller = new AbortController();
			const promise = this.#loader(controller.signal);
			untrack(() => {
				if (!options.keepPrevious) this.data = undefined;
				this.#track(promise, controller);
			});
			return () => controller.abort();
		});
	}

	/** Loads again, keeping the current value on screen until the new one arrives. */
	reload(): Promise<void> {
		this.#controller?.abort();
		const controller = new AbortController();
		return this.#track(
			untrack(() => this.#loader(controller.signal)),
			controller
		);
	}

	/** Loads again from scratch: the skeleton shows meanwhile (for a "Retry" button). */
	retry(): Promise<void> {
		this.data = undefined;
		return this.reload();
	}

	async #track(promise: Promise<T>, controller: AbortController): Promise<void> {
		this.#controller = controller;
		const generation = ++this.#generation;
		this.loading = true;
		this.error = null;
		try {
			const value = await promise;
			if (generation !== this.#generation) return;
			this.data = value;
		} catch (error) {
			if (generation !== this.#generation || controller.signal.aborted) return;
			this.error = isApiError(error)
				? error
				: new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}
}
