// Polling that stops while the tab is hidden and catches up as soon as it is visible again.

/**
 * Calls `tick` every `intervalMs` while the document is visible (never two at once), and right away
 * when a hidden tab becomes visible after at least one interval. Returns a function that stops it;
 * return that from an `$effect` to stop with the component.
 */
export function pollWhileVisible(tick: () => unknown, intervalMs: number): () => void {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	let running = false;
	let last = Date.now();

	const schedule = () => {
		clearTimeout(timer);
		if (!stopped) timer = setTimeout(run, intervalMs);
	};

	async function run() {
		if (stopped || running) return;
		if (document.visibilityState !== 'visible') return; // resumes on visibilitychange
		running = true;
		try {
			await tick();
		} catch {
			// the tick shows its own errors; polling goes on
		} finally {
			running = false;
			last = Date.now();
			schedule();
		}
	}

	const onvisibility = () => {
		if (document.visibilityState !== 'visible') return;
		if (Date.now() - last >= intervalMs) void run();
		else schedule();
	};

	document.addEventListener('visibilitychange', onvisibility);
	schedule();

	return () => {
		stopped = true;
		clearTimeout(timer);
		document.removeEventListener('visibilitychange', onvisibility);
	};
}
