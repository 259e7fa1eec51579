// One action at a time on the rows of a list (revoke, rotate, remove …): asked first when it cannot be
// undone, every row's buttons asleep while it runs, a failure shown as a toast.
import { confirmAction, type ConfirmRequest } from './confirm.svelte.ts';
import { toasts } from './toasts.svelte.ts';

export class RowActions {
	/** The id of the row being acted on, or null. */
	busy = $state<string | null>(null);

	async run(id: string, action: () => Promise<void>, confirm?: ConfirmRequest): Promise<void> {
		if (confirm && !(await confirmAction(confirm))) return;
		this.busy = id;
		try {
			await action();
		} catch (error) {
			toasts.error(error);
		} finally {
			this.busy = null;
		}
	}
}
