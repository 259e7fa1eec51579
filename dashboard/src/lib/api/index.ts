// The dashboard's typed client of the Vigil management API.
export { ApiError, isApiError, loginUrl, request } from './client.ts';
export * from './alerts.ts';
export * from './auth.ts';
export * from './crons.ts';
export * from './invites.ts';
export * from './issues.ts';
export * from './logs.ts';
export * from './monitors.ts';
export * from './orgs.ts';
export * from './performance.ts';
export * from './projects.ts';
export * from './tokens.ts';
export type * from './types.ts';
export { LEVELS, ROLES } from './types.ts';
