// Who is logged in and which organizations they belong to (GET /api/v1/me).
import { getMe } from '../api/auth.ts';
import { ApiError, isApiError, setUnauthenticatedHandler } from '../api/client.ts';
import type { Organization, User } from '../api/types.ts';

export type SessionStatus = 'unknown' | 'loading' | 'ready' | 'anonymous' | 'error';

class Session {
	user = $state<User | null>(null);
	organizations = $state<Organization[]>([]);
	status = $state<SessionStatus>('unknown');
	error = $state<ApiError | null>(null);
	#pending: Promise<void> | null = null;

	/** Loads the session once; later calls reuse it. `probe` answers "anonymous" instead of going to login. */
	ensure(options: { probe?: boolean } = {}): Promise<void> {
		if (this.status === 'ready' || this.status === 'anonymous') return Promise.resolve();
		return this.refresh(options);
	}

	refresh(options: { probe?: boolean } = {}): Promise<void> {
		this.#pending ??= this.#load(options.probe ?? false).finally(() => {
			this.#pending = null;
		});
		return this.#pending;
	}

	async #load(probe: boolean): Promise<void> {
		if (this.status !== 'ready') this.status = 'loading';
		this.error = null;
		try {
			const me = await getMe({ probe });
			this.user = me.user;
			this.organizations = me.organizations;
			this.status = 'ready';
		} catch (error) {
			if (isApiError(error) && error.status === 401) {
				this.clear();
				return;
			}
			this.error = isApiError(error) ? error : new ApiError(0, 'network_error', String(error));
			this.status = 'error';
		}
	}

	/** After signup or login. */
	setUser(user: User, organizations?: Organization[]): void {
		this.user = user;
		if (organizations) {
			this.organizations = organizations;
			this.status = 'ready';
		} else {
			// organizations are unknown until /me answers
			this.status = 'unknown';
		}
	}

	organization(slug: string | undefined): Organization | undefined {
		return slug ? this.organizations.find((org) => org.slug === slug) : undefined;
	}

	upsertOrganization(org: Organization): void {
		const index = this.organizations.findIndex((o) => o.slug === org.slug || o.id === org.id);
		if (index === -1) this.organizations.push(org);
		else this.organizations[index] = org;
	}

	/** After the organization was deleted. */
	removeOrganization(slug: string): void {
		this.organizations = this.organizations.filter((o) => o.slug !== slug);
	}

	clear(): void {
		this.user = null;
		this.organizations = [];
		this.status = 'anonymous';
	}
}

export const session = new Session();

setUnauthenticatedHandler(() => session.clear());
