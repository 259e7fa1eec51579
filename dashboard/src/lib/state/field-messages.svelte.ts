// Which message shows under each field of a form: the Worker's, about the values last sent, else the
// form's own check once the field was left (all of them once a save was tried). Create it during
// component setup with the form's id prefix and its live problems; put `onfocusout` and `oninput` on the form.
import { noErrors, type FormErrors } from '../forms.ts';

export class FieldMessages<F extends string> {
	/** The Worker's answer to the last save, by field and for the whole form. */
	server = $state<FormErrors<F>>(noErrors());
	/** A save (or a test) was tried: every problem shows, left or not. */
	attempted = $state(false);
	#touched = $state(new Set<string>());
	#prefix: string;
	#live: () => Partial<Record<F, string>>;

	constructor(prefix: string, live: () => Partial<Record<F, string>>) {
		this.#prefix = prefix;
		this.#live = live;
	}

	/** The message under a field, if any. */
	error(field: F): string | undefined {
		return this.server.fields[field] ?? (this.attempted || this.#touched.has(field) ? this.#live()[field] : undefined);
	}

	/** The id of what describes a field: its error, else (when it has one) its hint — `{prefix}-{field}-error|hint`. */
	describedBy(field: F, hint?: boolean): string | undefined {
		return this.error(field) ? `${this.#prefix}-${field}-error` : hint ? `${this.#prefix}-${field}-hint` : undefined;
	}

	/** A field counts as touched once focus leaves it (the element, or an ancestor, has `data-field`). */
	onfocusout = (event: FocusEvent) => {
		const field = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-field]')?.dataset.field;
		if (field && !this.#touched.has(field)) this.#touched = new Set([...this.#touched, field]);
	};

	/** Any edit drops the Worker's messages: they were about the values sent. */
	oninput = () => {
		if (this.server.form || Object.keys(this.server.fields).length) this.server = noErrors();
	};

	/** Moves focus to the first field marked invalid, once the messages are on screen. */
	focusFirstProblem(form: HTMLFormElement | undefined) {
		queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
	}
}
