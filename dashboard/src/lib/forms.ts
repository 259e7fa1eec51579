// Turning an API error into messages shown next to the fields of a form.
import { isApiError } from './api/client.ts';

export interface FormErrors<F extends string> {
	/** Messages by field name, shown under that field. */
	fields: Partial<Record<F, string>>;
	/** A message about the whole form, shown above the submit button. */
	form: string | null;
	requestId: string | null;
}

export function noErrors<F extends string>(): FormErrors<F> {
	return { fields: {}, form: null, requestId: null };
}

/**
 * Places an error next to the field it is about: the API's `details` name fields; otherwise
 * a validation message that names a field (e.g. "Password must be at least 8 characters.")
 * goes under that field; anything else is a form-level message.
 */
export function formErrors<F extends string>(
	error: unknown,
	fields: readonly F[],
	overrides: { [code: string]: { field?: F; message?: string } } = {}
): FormErrors<F> {
	const result = noErrors<F>();
	if (!isApiError(error)) {
		result.form = error instanceof Error ? error.message : 'Something went wrong.';
		return result;
	}
	result.requestId = error.requestId;

	const override = overrides[error.code];
	if (override) {
		const message = override.message ?? error.message;
		if (override.field) result.fields[override.field] = message;
		else result.form = message;
		return result;
	}

	if (error.code === 'validation_failed') {
		for (const field of fields) {
			const message = error.detailFor(field);
			if (message) result.fields[field] = message;
		}
		if (Object.keys(result.fields).length > 0) return result;
		const named = fields.find((field) => new RegExp(`\\b${field}\\b`, 'i').test(error.message));
		if (named) {
			result.fields[named] = error.message;
			return result;
		}
	}

	if (error.code === 'too_many_requests' && error.retryAfter) {
		result.form = `${error.message} Try again in ${waitText(error.retryAfter)}.`;
		return result;
	}

	result.form = error.message;
	return result;
}

function waitText(seconds: number): string {
	if (seconds < 90) return `${seconds} seconds`;
	return `${Math.ceil(seconds / 60)} minutes`;
}
