/**
 * Usernames are lower-case slugs: they go into index keys (`user-sessions:{<tenant>:<app>:<user>}`),
 * so never ':', '{', '}', glob characters or spaces. Its own module, without zod, so the CLI can
 * check an argument before loading anything heavy.
 */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
