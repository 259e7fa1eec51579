// How a release compares with what came before it: latency and failure rate deltas, in words and tones
// (up is worse for both), so the page never leans on color or an arrow alone.
import type { Tone } from '../uptime/present.ts';

export interface Delta {
	/** "32 % slower", "+2.1 points", "about the same". */
	text: string;
	tone: Tone;
	/** Which way the number went (for the arrow). */
	dir: 'up' | 'down' | 'same';
}

/** Latency after vs before: within ±5 % is "about the same"; slower by more than 20 % is red. */
export function latencyDelta(before: number | null, after: number | null): Delta | null {
	if (before === null || after === null || before <= 0) return null;
	const ratio = (after - before) / before;
	if (Math.abs(ratio) < 0.05) return { text: 'about the same', tone: 'neutral', dir: 'same' };
	const pct = Math.abs(ratio) >= 10 ? `${Math.round(ratio + 1)}×` : `${Math.round(Math.abs(ratio) * 100)} %`;
	if (ratio > 0) return { text: `${pct} slower`, tone: ratio > 0.2 ? 'danger' : 'warn', dir: 'up' };
	return { text: `${pct} faster`, tone: 'ok', dir: 'down' };
}

/** Failure rate after vs before, in percentage points: up by more than 1 point is red. */
export function failureDelta(before: number | null, after: number | null): Delta | null {
	if (before === null || after === null) return null;
	const points = (after - before) * 100;
	if (Math.abs(points) < 0.1) return { text: 'about the same', tone: 'neutral', dir: 'same' };
	const text = `${points > 0 ? '+' : '−'}${Math.abs(points) >= 10 ? Math.round(Math.abs(points)) : Math.abs(points).toFixed(1)} points`;
	if (points > 0) return { text, tone: points > 1 ? 'danger' : 'warn', dir: 'up' };
	return { text, tone: 'ok', dir: 'down' };
}

export const ARROW: Record<Delta['dir'], string> = { up: '▲', down: '▼', same: '=' };
