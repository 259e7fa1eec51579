// A transaction's spans as waterfall rows: the request itself first, then each span under its parent
// (siblings by start time), with its depth, its part of the time, and whether it is one of a run of
// identical queries (an N+1: the same SQL, with other parameters, once per row of a loop).
import type { Span, TraceTransaction } from '../api/performance.ts';
import { familyOf, type Part } from './present.ts';

/** As the Worker's detector: this many identical sibling queries make an N+1. */
export const N_PLUS_ONE_MIN = 5;

export interface WaterfallRow {
	/** The span id; the transaction's own span id for the request row. */
	id: string;
	depth: number;
	op: string;
	description: string | null;
	offsetMs: number;
	durationMs: number;
	status: string | null;
	part: Part;
	/** The request row (the transaction itself). */
	root: boolean;
	/** Has spans under it. */
	parent: boolean;
	/** Set on each query of a repeated group: its shape and how many times it ran under the same parent. */
	repeat: { key: string; count: number } | null;
}

export interface RepeatedQuery {
	key: string;
	sql: string;
	count: number;
	totalMs: number;
}

/** SQL with its literals as `?` (numbers, quoted strings, IN lists), so one query with other parameters looks the same. */
export function normalizeSql(sql: string): string {
	return sql
		.replace(/'(?:[^']|'')*'/g, '?')
		.replace(/%s|\$\d+/g, '?')
		.replace(/\b\d+(?:\.\d+)?\b/g, '?')
		.replace(/\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi, 'IN (?)')
		.replace(/\s+/g, ' ')
		.trim();
}

export function waterfall(tx: TraceTransaction): { rows: WaterfallRow[]; repeated: RepeatedQuery[] } {
	const ids = new Set(tx.spans.map((s) => s.spanId));
	const children = new Map<string, Span[]>();
	for (const s of tx.spans) {
		// a span whose parent is not among the kept spans hangs under the request
		const parent = s.parentSpanId && s.parentSpanId !== s.spanId && ids.has(s.parentSpanId) ? s.parentSpanId : tx.spanId;
		let list = children.get(parent);
		if (!list) children.set(parent, (list = []));
		list.push(s);
	}
	for (const list of children.values()) list.sort((a, b) => a.offsetMs - b.offsetMs || b.durationMs - a.durationMs);

	// identical queries under one parent
	const groups = new Map<string, Span[]>();
	for (const [parent, list] of children) {
		for (const s of list) {
			if (familyOf(s.op) !== 'db' || !s.description) continue;
			const key = `${parent}\u0000${normalizeSql(s.description)}`;
			let group = groups.get(key);
			if (!group) groups.set(key, (group = []));
			group.push(s);
		}
	}
	const repeatOf = new Map<string, { key: string; count: number }>();
	const repeated: RepeatedQuery[] = [];
	for (const [key, group] of groups) {
		if (group.length < N_PLUS_ONE_MIN) continue;
		for (const s of group) repeatOf.set(s.spanId, { key, count: group.length });
		repeated.push({ key, sql: normalizeSql(group[0]!.description!), count: group.length, totalMs: group.reduce((n, s) => n + s.durationMs, 0) });
	}
	repeated.sort((a, b) => b.totalMs - a.totalMs);

	const rows: WaterfallRow[] = [
		{
			id: tx.spanId || tx.eventId,
			depth: 0,
			op: tx.op || 'transaction',
			description: tx.transaction,
			offsetMs: 0,
			durationMs: tx.durationMs,
			status: tx.status,
			part: 'other',
			root: true,
			parent: tx.spans.length > 0,
			repeat: null
		}
	];
	const seen = new Set<string>();
	const walk = (parent: string, depth: number) => {
		for (const s of children.get(parent) ?? []) {
			if (seen.has(s.spanId)) continue; // a cycle in what was sent
			seen.add(s.spanId);
			rows.push({
				id: s.spanId,
				depth,
				op: s.op,
				description: s.description,
				offsetMs: s.offsetMs,
				durationMs: s.durationMs,
				status: s.status,
				part: familyOf(s.op),
				root: false,
				parent: (children.get(s.spanId)?.length ?? 0) > 0,
				repeat: repeatOf.get(s.spanId) ?? null
			});
			walk(s.spanId, depth + 1);
		}
	};
	walk(tx.spanId, 1);
	// spans only reachable through a cycle: still shown, under the request
	for (const s of tx.spans) {
		if (seen.has(s.spanId)) continue;
		seen.add(s.spanId);
		rows.push({
			id: s.spanId,
			depth: 1,
			op: s.op,
			description: s.description,
			offsetMs: s.offsetMs,
			durationMs: s.durationMs,
			status: s.status,
			part: familyOf(s.op),
			root: false,
			parent: false,
			repeat: repeatOf.get(s.spanId) ?? null
		});
	}
	return { rows, repeated };
}

/** About `count` round tick values from 0 to `max` ms (1, 2, 5 × 10ⁿ steps). */
export function ticks(max: number, count = 5): number[] {
	if (!(max > 0)) return [0];
	const raw = max / count;
	const pow = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
	const out: number[] = [];
	for (let t = 0; t <= max + step * 1e-9; t += step) out.push(Math.round(t * 1000) / 1000);
	return out;
}
