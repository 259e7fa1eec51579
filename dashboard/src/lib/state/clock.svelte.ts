// A shared "now" that moves every 30 seconds, so relative times ("3 min ago") stay true.
class Clock {
	now = $state(Date.now());

	constructor() {
		if (typeof window !== 'undefined') {
			setInterval(() => (this.now = Date.now()), 30_000);
		}
	}
}

export const clock = new Clock();
