// The retention fields take a whole number of days.

/** The number typed, or null when it is not a whole number of days. */
export const wholeDays = (text: string): number | null => (/^\s*\d+\s*$/.test(text) ? Number(text) : null);
