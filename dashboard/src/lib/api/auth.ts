// Session routes: signup, login, logout, me.
import { request } from './client.ts';
import type { LoginRequest, LoginResponse, Me, SignupRequest, SignupResponse } from './types.ts';

/** POST /auth/signup → 201; sets the session cookie. 409 when the email exists. */
export const signup = (body: SignupRequest) =>
	request<SignupResponse>('/auth/signup', { method: 'POST', body });

/** POST /auth/login → 200; sets the session cookie. 401 invalid credentials, 429 throttled. */
export const login = (body: LoginRequest) => request<LoginResponse>('/auth/login', { method: 'POST', body });

/** POST /auth/logout → 204; clears the cookie. */
export const logout = () => request<void>('/auth/logout', { method: 'POST', allowUnauthenticated: true });

/** GET /me. With `probe`, a 401 is thrown to the caller instead of leading to the login page. */
export const getMe = (options: { probe?: boolean } = {}) =>
	request<Me>('/me', { allowUnauthenticated: options.probe ?? false });
