// The live tail of a project's logs: a WebSocket that receives new lines matching a query as they are
// stored. It reconnects with backoff when the connection drops, keeps what arrives while paused (up to a
// limit), and counts the lines the server left out to keep up.
import { tailUrl, type LogLine, type TailMessage } from '../api/logs.ts';

export type TailStatus = 'off' | 'connecting' | 'live' | 'waiting';

/**
 * A line as the search answers it. The tail may send lines as the store keeps them (a numeric `id`, `ts` in
 * epoch ms and `ns` within it, no `timestamp`): those are read into the same shape.
 */
function asLogLine(raw: LogLine & { ts?: unknown; ns?: unknown }): LogLine {
	if (typeof raw.id === 'string' && typeof raw.timestamp === 'string') return raw;
	const { ts, ns, ...rest } = raw;
	const ms = Number(ts);
	const timestamp =
		typeof raw.timestamp === 'string'
			? raw.timestamp
			: Number.isFinite(ms)
				? `${new Date(ms).toISOString().slice(0, 23)}${String(Math.max(0, Math.min(999_999, Number(ns) || 0))).padStart(6, '0')}Z`
				: new Date().toISOString();
	return { ...rest, id: String(raw.id), timestamp };
}

/** Lines held while paused; older ones beyond it are counted as skipped. */
const MAX_BUFFER = 1000;
const PING_MS = 25_000;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

export class LiveTail {
	status = $state<TailStatus>('off');
	paused = $state(false);
	/** Lines that arrived while paused, newest last. */
	buffered = $state<LogLine[]>([]);
	/** Lines left out (by the server to keep up, or beyond the pause buffer) since the tail started. */
	skipped = $state(0);
	/** The server's last complaint (e.g. a query it cannot read). */
	problem = $state<string | null>(null);
	/** When waiting to reconnect: when the next attempt is due (epoch ms). */
	retryAt = $state<number | null>(null);

	#projectId: () => number;
	#deliver: (lines: LogLine[]) => void;
	#q = '';
	#socket: WebSocket | null = null;
	#attempt = 0;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;
	#pingTimer: ReturnType<typeof setInterval> | undefined;

	/** `deliver` receives new lines (oldest first) whenever the tail is not paused. */
	constructor(projectId: () => number, deliver: (lines: LogLine[]) => void) {
		this.#projectId = projectId;
		this.#deliver = deliver;
	}

	get on(): boolean {
		return this.status !== 'off';
	}

	start(q: string): void {
		this.#q = q;
		this.skipped = 0;
		this.problem = null;
		this.paused = false;
		this.buffered = [];
		this.#attempt = 0;
		this.#connect();
	}

	stop(): void {
		this.#close();
		this.status = 'off';
		this.retryAt = null;
		this.paused = false;
		this.buffered = [];
	}

	/** A new filter: sent on the open connection, or used by the next one. */
	setQuery(q: string): void {
		if (q === this.#q) return;
		this.#q = q;
		this.problem = null;
		if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify({ type: 'query', q }));
	}

	pause(): void {
		if (this.on) this.paused = true;
	}

	/** Shows what arrived while paused and goes on live. */
	resume(): void {
		this.paused = false;
		const held = this.buffered;
		this.buffered = [];
		if (held.length) this.#deliver(held);
	}

	#connect(): void {
		this.#close();
		this.status = 'connecting';
		this.retryAt = null;
		let socket: WebSocket;
		try {
			socket = new WebSocket(tailUrl(this.#projectId(), this.#q));
		} catch {
			this.#scheduleRetry();
			return;
		}
		this.#socket = socket;
		socket.onmessage = (event) => {
			if (this.#socket !== socket || typeof event.data !== 'string') return;
			let message: TailMessage;
			try {
				message = JSON.parse(event.data) as TailMessage;
			} catch {
				return;
			}
			this.#receive(message);
		};
		socket.onclose = () => {
			if (this.#socket !== socket) return;
			this.#socket = null;
			clearInterval(this.#pingTimer);
			this.#scheduleRetry();
		};
		this.#pingTimer = setInterval(() => {
			if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
		}, PING_MS);
	}

	#receive(message: TailMessage): void {
		switch (message.type) {
			case 'hello':
				this.status = 'live';
				this.#attempt = 0;
				// the connection opened with an older filter than the one wanted now
				if (message.q !== this.#q) this.#socket?.send(JSON.stringify({ type: 'query', q: this.#q }));
				break;
			case 'lines': {
				const lines = message.lines.map(asLogLine);
				if (this.paused) {
					const held = [...this.buffered, ...lines];
					if (held.length > MAX_BUFFER) this.skipped += held.length - MAX_BUFFER;
					this.buffered = held.slice(-MAX_BUFFER);
				} else this.#deliver(lines);
				break;
			}
			case 'skipped':
				this.skipped += message.count;
				break;
			case 'error':
				this.problem = message.message;
				break;
		}
	}

	#scheduleRetry(): void {
		if (this.status === 'off') return;
		const base = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
		const delay = Math.round(base * (0.8 + Math.random() * 0.4));
		this.#attempt += 1;
		this.status = 'waiting';
		this.retryAt = Date.now() + delay;
		clearTimeout(this.#retryTimer);
		this.#retryTimer = setTimeout(() => this.#connect(), delay);
	}

	/** Reconnects now instead of waiting. */
	retryNow(): void {
		if (this.status === 'waiting') this.#connect();
	}

	#close(): void {
		clearTimeout(this.#retryTimer);
		clearInterval(this.#pingTimer);
		const socket = this.#socket;
		this.#socket = null;
		if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'closed by the viewer');
	}
}
