// What every part of the event view needs to know about the event it shows.
import { createContext } from 'svelte';

export interface EventViewContext {
	/** Dotted paths that Vigil's scrubbing replaced (the event's `_filtered`). */
	filtered: ReadonlySet<string>;
}

export const [getEventView, setEventView] = createContext<EventViewContext>();
