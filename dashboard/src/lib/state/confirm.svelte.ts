// "Are you sure?" for actions that can't be undone; answered by <ConfirmHost/>.

export interface ConfirmRequest {
	title: string;
	message: string;
	confirmLabel: string;
	danger?: boolean;
}

interface Pending extends ConfirmRequest {
	resolve: (answer: boolean) => void;
}

class Confirmer {
	pending = $state<Pending | null>(null);

	ask(request: ConfirmRequest): Promise<boolean> {
		this.pending?.resolve(false);
		return new Promise((resolve) => {
			this.pending = { ...request, resolve };
		});
	}

	answer(value: boolean): void {
		const pending = this.pending;
		this.pending = null;
		pending?.resolve(value);
	}
}

export const confirmer = new Confirmer();
export const confirmAction = (request: ConfirmRequest) => confirmer.ask(request);
