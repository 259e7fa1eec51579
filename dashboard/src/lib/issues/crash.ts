// Where an error happened, in one line for the issue header: the app's own frame closest to the
// crash (where a fix usually goes), else the crash frame itself.
import type { SentryEvent } from '../api/types.ts';
import { exceptionChain, frameFile, framesOf, str } from './event.ts';

export interface CrashSite {
	file: string;
	line: number | null;
	fn: string;
	/** Id of the frame's element in the event view. */
	anchor: string;
}

export function crashSite(event: SentryEvent): CrashSite | null {
	const main = exceptionChain(event)[0];
	if (!main) return null;
	const refs = framesOf(main.exception);
	const ref = refs.findLast((r) => r.inApp) ?? refs.at(-1);
	if (!ref) return null;
	return {
		file: frameFile(ref.frame),
		line: typeof ref.frame.lineno === 'number' ? ref.frame.lineno : null,
		fn: str(ref.frame.function),
		anchor: `frame-${main.index}-${ref.index}`
	};
}
