// Processing notes (`event.errors`) in words.
import type { ProcessingNote } from '../../api/types.ts';
import { display } from '../../issues/event.ts';

export function describeNote(note: ProcessingNote): string {
	const name = note.name ?? 'a value';
	const value = note.value === undefined ? '' : display(note.value);
	switch (note.type) {
		case 'future_timestamp':
			return `The event's timestamp (${value}) was in the future; the time it arrived is used instead.`;
		case 'past_timestamp':
			return `The event's timestamp (${value}) was too far in the past; the time it arrived is used instead.`;
		case 'invalid_data':
			return `${name} had a value Vigil could not read${value ? ` (${value})` : ''}; it was left out.`;
		case 'value_too_long':
			return `${name} was ${value ? `${Number(value).toLocaleString()} characters` : 'too'} long and was cut to 8 KB.`;
		default:
			return `${note.type}${note.name ? `: ${note.name}` : ''}${value ? ` (${value})` : ''}`;
	}
}
