// "2 up · 1 down": how many monitors are in each state, in the order given (worst first), states with none left out.

export interface StateCount<S extends string = string> {
	state: S;
	n: number;
	/** The state's word, e.g. "Down". */
	label: string;
	/** Its status color: ok, warn, danger, accent or neutral. */
	tone: string;
}

export function countByState<S extends string>(
	items: readonly { state: S }[],
	order: readonly S[],
	info: Record<S, { label: string; tone: string }>
): StateCount<S>[] {
	return order
		.map((state) => ({ state, n: items.filter((item) => item.state === state).length, label: info[state].label, tone: info[state].tone }))
		.filter((c) => c.n > 0);
}
