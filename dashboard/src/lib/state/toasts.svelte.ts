// Short-lived notices in the corner of the screen. Errors carry the Worker's request id,
// so a user can quote it when reporting a problem.
import { isApiError } from '../api/client.ts';

export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
	id: number;
	kind: ToastKind;
	message: string;
	requestId: string | null;
}

const DURATION_MS: Record<ToastKind, number> = { success: 4000, info: 6000, error: 10000 };

class Toasts {
	items = $state<Toast[]>([]);
	#next = 1;

	show(kind: ToastKind, message: string, requestId: string | null = null): number {
		const id = this.#next++;
		this.items.push({ id, kind, message, requestId });
		setTimeout(() => this.dismiss(id), DURATION_MS[kind]);
		return id;
	}

	success(message: string): number {
		return this.show('success', message);
	}

	/** Shows an error; an `ApiError` brings its request id along. */
	error(error: unknown, fallback = 'Something went wrong.'): number {
		if (isApiError(error)) return this.show('error', error.message, error.requestId);
		if (error instanceof Error && error.message) return this.show('error', error.message);
		return this.show('error', fallback);
	}

	dismiss(id: number): void {
		this.items = this.items.filter((toast) => toast.id !== id);
	}
}

export const toasts = new Toasts();
